// hash: consistent hashing. A key taken from each request (the client's address, a header,
// a cookie, a query parameter or the path) picks the server, so the same key goes to the
// same server while the set stays, and a change of the set moves few keys: rendezvous
// hashing (highest random weight, weighted) by default, Maglev's table as an option, and
// an optional bound on any server's share of the requests in flight (consistent hashing with
// bounded loads, Mirrokni et al.).
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing.hpp"
#include "maglev.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/configured_balancer.hpp"
#include "sluice/sdk/cookies.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/ip_network.hpp"
#include "sluice/sdk/least_scored.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::hash {
namespace {

enum class key_source { client_ip, header, cookie, query, path };

struct settings {
    key_source source = key_source::client_ip;
    std::string name;  // of the header, cookie or query parameter
    sdk::ip_strategy ip;
    bool maglev = false;
    std::uint32_t table_size = 65537;
    double bound = 0;  // > 1: no server above bound x its share of the requests in flight; 0: none

    // The strategy's table (errors through `options`); whether a set suits (Maglev's table size).
    static settings read(sdk::config_reader& options);
    bool accepts(const sdk::server_set& set, sdk::error_sink& errors) const;
};

// The client's address by the ip strategy: the key of `clientIP`, and of the other sources
// when the request lacks theirs.
std::string_view client_of(const settings& s, const sdk::request& req) {
    if (!s.ip.uses_forwarded()) return req.client_ip();
    const std::string_view chosen = s.ip.client(req.client_ip(), sdk::peer_forwarded_for(req.header("X-Forwarded-For")));
    return chosen.empty() ? req.client_ip() : chosen;
}

std::optional<std::string_view> query_value(std::string_view target, std::string_view name) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    const auto params = boost::urls::parse_query(target.substr(q + 1));
    if (!params) return std::nullopt;
    const auto it = params->find(name);
    if (it == params->end()) return std::nullopt;
    const auto value = (*it).value;
    return std::string_view(value.data(), value.size());  // as sent: one client sends one spelling
}

// The bytes the request hashes on.
std::string_view key_of(const settings& s, const sdk::request& req) {
    std::optional<std::string_view> key;
    switch (s.source) {
        case key_source::client_ip: return client_of(s, req);
        case key_source::header: key = req.header(s.name); break;
        case key_source::cookie: key = sdk::cookie_value(req.header("Cookie"), s.name); break;
        case key_source::query: key = query_value(req.target(), s.name); break;
        case key_source::path: key = req.routing_path(); break;
    }
    return key && !key->empty() ? *key : client_of(s, req);
}

// Servers already proposed for this request, one bit each: a thread's own, grown to the
// largest set it has picked from and then reused, so a pick allocates nothing.
std::vector<std::uint64_t>& tried_for(std::size_t n) {
    thread_local std::vector<std::uint64_t> bits;
    bits.assign((n + 63) / 64, 0);
    return bits;
}

// pick and on_attempt run on every worker at once: the table and hashes are read-only after
// creation; the counts of requests in flight (kept only with a bound) are relaxed atomics.
class hash_picker {
public:
    hash_picker(const sdk::server_set& set, const settings& s) : settings_(s), n_(set.servers.size()) {
        std::vector<std::string_view> names;
        for (const auto& server : set.servers) {
            names.push_back(server.url);
            server_hashes_.push_back(hash_of(server.url));
            weights_.push_back(std::max<std::uint32_t>(1, server.weight));
            total_weight_ += weights_.back();
        }
        if (s.maglev) table_.emplace(names, weights_, s.table_size);
        if (s.bound > 0) in_flight_ = std::make_unique<std::atomic<std::uint32_t>[]>(n_);
    }

    std::int32_t pick(const sdk::request& req, const sdk::server_filter& filter) {
        if (n_ == 0) return -1;
        const std::uint64_t key = hash_of(key_of(settings_, req));
        auto& tried = tried_for(n_);
        // The key's servers in its order of preference: the first the host accepts and that
        // is within its bound takes the request. Each server is proposed once at most.
        std::int32_t over_bound = -1;  // the first accepted server that was over its bound
        std::uint64_t slot = key;      // Maglev: the table walked from the key's entry
        for (std::size_t k = 0; k < n_; ++k) {
            const std::int32_t i = table_ ? next_in_table(slot, tried) : next_by_score(key, tried);
            if (i < 0) break;
            tried[static_cast<std::size_t>(i) / 64] |= std::uint64_t{1} << (i % 64);
            if (in_flight_ && over_its_bound(static_cast<std::size_t>(i))) {
                if (over_bound < 0 && filter.accept(i)) over_bound = i;
                continue;
            }
            if (filter.accept(i)) return counted(i);
        }
        return counted(over_bound);  // every server accepted is at its bound: the key's first of them
    }

    void on_attempt(const sdk::request&, const sdk::attempt& a) {
        if (!in_flight_ || a.server < 0 || static_cast<std::size_t>(a.server) >= n_) return;
        sdk::count_out(in_flight_[static_cast<std::size_t>(a.server)]);
        sdk::count_out(total_in_flight_);
    }

private:
    static bool is_tried(const std::vector<std::uint64_t>& tried, std::size_t i) noexcept {
        return (tried[i / 64] >> (i % 64)) & 1;
    }

    // Rendezvous: the untried server with the highest score for the key.
    std::int32_t next_by_score(std::uint64_t key, const std::vector<std::uint64_t>& tried) const noexcept {
        std::int32_t best = -1;
        double best_score = -1;
        for (std::size_t i = 0; i < n_; ++i) {
            if (is_tried(tried, i)) continue;
            const double score = rendezvous_score(key, server_hashes_[i], weights_[i]);
            if (score > best_score) best = static_cast<std::int32_t>(i), best_score = score;
        }
        return best;
    }

    // Maglev: the key's entry, then the entries after it, skipping servers already tried.
    std::int32_t next_in_table(std::uint64_t& slot, const std::vector<std::uint64_t>& tried) const noexcept {
        for (std::uint32_t step = 0; step < table_->size(); ++step) {
            const std::uint32_t i = table_->at(slot++);
            if (!is_tried(tried, i)) return static_cast<std::int32_t>(i);
        }
        return -1;
    }

    // The bound: at most ceil(bound x (requests in flight + this one) x weight / total
    // weight) requests in flight on server i.
    bool over_its_bound(std::size_t i) const noexcept {
        const double all = total_in_flight_.load(std::memory_order_relaxed) + 1.0;
        const double allowed = std::ceil(settings_.bound * all * weights_[i] / total_weight_);
        return in_flight_[i].load(std::memory_order_relaxed) + 1.0 > allowed;
    }

    std::int32_t counted(std::int32_t server) noexcept {
        if (server >= 0 && in_flight_) {
            in_flight_[static_cast<std::size_t>(server)].fetch_add(1, std::memory_order_relaxed);
            total_in_flight_.fetch_add(1, std::memory_order_relaxed);
        }
        return server;
    }

    const settings& settings_;
    std::size_t n_;
    std::vector<std::uint64_t> server_hashes_;
    std::vector<std::uint32_t> weights_;
    double total_weight_ = 0;
    std::optional<maglev_table> table_;
    std::unique_ptr<std::atomic<std::uint32_t>[]> in_flight_;  // with a bound only
    std::atomic<std::uint32_t> total_in_flight_{0};
};

bool is_prime(std::int64_t n) {
    if (n < 2) return false;
    for (std::int64_t d = 2; d * d <= n; ++d)
        if (n % d == 0) return false;
    return true;
}

settings settings::read(sdk::config_reader& options) {
    settings s;
    const std::string key = sdk::to_lower(options.string_or("key", "clientIP"));
    const bool named = key == "header" || key == "cookie" || key == "query";
    if (key == "clientip") s.source = key_source::client_ip;
    else if (key == "header") s.source = key_source::header;
    else if (key == "cookie") s.source = key_source::cookie;
    else if (key == "query") s.source = key_source::query;
    else if (key == "path") s.source = key_source::path;
    else options.error("key", "expected clientIP, header, cookie, query or path");
    if (named) s.name = options.required_string("name", "the " + key + "'s name (name = \"...\")").value_or("");
    else if (options.string("name")) options.error("name", "only with key = header, cookie or query");
    if (named && s.name.empty() && options.ok()) options.error("name", "expected a non-empty string");
    // Looked up percent-encoded, as parameters are sent: the name must be valid so.
    if (s.source == key_source::query && !s.name.empty() && !boost::urls::make_pct_string_view(s.name))
        options.error("name", "\"" + s.name + "\" is not a valid query parameter name (a % not followed by two hex digits)");
    s.ip = sdk::read_ip_strategy(options);
    const std::string algorithm = sdk::to_lower(options.string_or("algorithm", "rendezvous"));
    if (algorithm == "maglev") s.maglev = true;
    else if (algorithm != "rendezvous" && algorithm != "hrw") options.error("algorithm", "expected rendezvous or maglev");
    const std::int64_t size = options.integer_or("tableSize", 65537, {2, 16'777'259});
    if (!is_prime(size)) options.error("tableSize", "expected a prime number (65537, 131071, 262139...)");
    s.table_size = static_cast<std::uint32_t>(size);
    if (const auto bound = options.number("boundedLoad")) {
        if (*bound <= 1.0 && *bound != 0.0) options.error("boundedLoad", "expected a factor above 1 (1.25: 25 % above an even share), or 0 for none");
        s.bound = *bound;
    }
    return s;
}

bool settings::accepts(const sdk::server_set& set, sdk::error_sink& errors) const {
    if (maglev && set.servers.size() * 10 > table_size) {
        errors.error("tableSize", "Maglev's table needs at least 10 entries per server: " +
                                      std::to_string(set.servers.size()) + " servers, " + std::to_string(table_size) +
                                      " entries");
        return false;
    }
    return true;
}

using hash_balancer = sdk::configured_balancer<settings, hash_picker>;

}  // namespace
}  // namespace sluice::hash

SLUICE_DECLARE_BALANCER(sluice::hash::hash_balancer, "hash", "1.0.0",
                        "Consistent hashing of a request key (client IP, header, cookie, query parameter or path): "
                        "rendezvous or Maglev, with an optional bound on load",
                        "key = \"header\"\nname = \"X-User\"\nalgorithm = \"rendezvous\"\nboundedLoad = 1.25\n")
