// digestauth: lets on only requests that prove a user's password with HTTP Digest (RFC 7616,
// MD5 with qop=auth, as Traefik's digestAuth), htdigest lines in `users` or a `usersFile`.
// Nonces are this middleware's own, each usable with a growing nonce count; a stale one is
// answered with `stale=true`, which lets a browser retry without asking the user again.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth_options.hpp"
#include "credential_store.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::digestauth {
namespace {

std::string md5_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_md5(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) out += {hex[digest[i] >> 4], hex[digest[i] & 0xF]};
    return out;
}

std::string random_key() {
    unsigned char raw[12];
    RAND_bytes(raw, sizeof raw);
    unsigned char out[17];
    const int n = EVP_EncodeBlock(out, raw, sizeof raw);
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

// "name:realm:HA1", HA1 being MD5("name:realm:password") in hex, as htdigest writes it.
std::optional<auth::credential> parse_user(std::string_view line, std::string& why) {
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (first == 0 || second == std::string_view::npos || line.find(':', second + 1) != std::string_view::npos) {
        why = "expected \"name:realm:hash\" (as htdigest writes it)";
        return std::nullopt;
    }
    const std::string_view hash = line.substr(second + 1);
    if (hash.size() != 32 || hash.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
        why = "user \"" + std::string(line.substr(0, first)) + "\": the hash is 32 hexadecimal digits (an MD5)";
        return std::nullopt;
    }
    return auth::credential{std::string(line.substr(0, second)), sdk::to_lower(hash)};
}

// The parameters of "Authorization: Digest k=v, k="v", ...", as go-http-auth reads them.
std::map<std::string, std::string> digest_params(std::string_view field) {
    std::map<std::string, std::string> out;
    constexpr std::string_view scheme = "Digest ";
    if (field.size() <= scheme.size() || !sdk::iequals(field.substr(0, scheme.size()), scheme)) return out;
    std::string_view rest = field.substr(scheme.size());
    while (!rest.empty()) {
        rest = sdk::trim(rest);
        const auto eq = rest.find('=');
        const auto comma = rest.find(',');
        if (eq == std::string_view::npos || (comma != std::string_view::npos && comma < eq)) {
            const std::string_view key = sdk::trim(rest.substr(0, comma));
            if (!key.empty()) out[std::string(key)] = "";
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            continue;
        }
        const std::string key(sdk::trim(rest.substr(0, eq)));
        rest = sdk::trim(rest.substr(eq + 1));
        std::string value;
        if (!rest.empty() && rest.front() == '"') {
            std::size_t i = 1;
            for (; i < rest.size() && rest[i] != '"'; ++i) {
                if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
                value += rest[i];
            }
            rest = rest.substr(std::min(i + 1, rest.size()));
            const auto next = rest.find(',');
            rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
        } else {
            const auto next = rest.find(',');
            value = std::string(sdk::trim(rest.substr(0, next)));
            rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
        }
        out[key] = std::move(value);
    }
    return out;
}

// The nonces this middleware handed out and the highest count each was used with. Bounded as
// go-http-auth bounds it: past 1100, the 200 seen longest ago go. Any thread.
class nonce_table {
public:
    enum class use { fresh, unknown, replayed };

    std::string issue() {
        std::string nonce = random_key();
        std::lock_guard lock(mutex_);
        if (nonces_.size() > 1100) prune(200);
        nonces_[nonce] = {0, ++clock_};
        return nonce;
    }
    use count(const std::string& nonce, std::uint64_t nc) {
        std::lock_guard lock(mutex_);
        const auto it = nonces_.find(nonce);
        if (it == nonces_.end()) return use::unknown;
        if (nc <= it->second.nc) return use::replayed;  // counts start at 1 (RFC 7616): 0 is never fresh
        it->second = {nc, ++clock_};
        return use::fresh;
    }

private:
    struct entry {
        std::uint64_t nc;
        std::uint64_t seen;  // a logical clock: only the order matters
    };
    void prune(std::size_t count) {
        std::vector<std::pair<std::uint64_t, std::string>> order;
        for (const auto& [nonce, e] : nonces_) order.emplace_back(e.seen, nonce);
        std::sort(order.begin(), order.end());
        for (std::size_t i = 0; i < std::min(count, order.size()); ++i) nonces_.erase(order[i].second);
    }

    std::mutex mutex_;
    std::unordered_map<std::string, entry> nonces_;
    std::uint64_t clock_ = 0;
};

class digest_auth {
public:
    using request_state = std::string;  // Authentication-Info for the response

    static std::unique_ptr<digest_auth> create(sdk::host& host, std::string_view, std::string_view config,
                                               sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto mw = std::make_unique<digest_auth>();
        mw->options_ =
            auth::auth_options::read(options, "\":\\\r\n", "a quote, a colon, a backslash or a line break");
        mw->users_ = auth::credential_store::create(
            options, parse_user, [](std::string_view) { return 0; }, host, "name:realm:hash");
        if (!options.finish() || !mw->users_) return nullptr;
        mw->opaque_ = random_key();
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply, sdk::state_slot<std::string>& state) {
        auto p = digest_params(req.header("Authorization"));
        bool stale = false;
        const auto user = check(req, p, stale);
        if (!user)
            return auth::unauthorized(reply, "Digest realm=\"" + options_.realm + "\", nonce=\"" + nonces_.issue() +
                                                 "\", opaque=\"" + opaque_ + "\", algorithm=MD5, qop=\"auth\"" +
                                                 (stale ? ", stale=true" : ""));
        const std::string ha2 = md5_hex(":" + p["uri"]);
        state.emplace("qop=\"auth\", rspauth=\"" +
                      md5_hex(*user + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":auth:" + ha2) +
                      "\", cnonce=\"" + p["cnonce"] + "\", nc=" + p["nc"]);
        options_.pass(req, p["username"]);
        return sdk::verdict::proceed;
    }

    void on_response(const sdk::request&, sdk::response& res, std::string* info) {
        if (info) res.set_header("Authentication-Info", *info);
    }

private:
    // The user's HA1 when the request proves the password; `stale` when it would have, but
    // with a nonce this middleware does not know (any more) or a count already used.
    std::optional<std::string> check(const sdk::request& req, std::map<std::string, std::string>& p, bool& stale) {
        if (p.empty()) return std::nullopt;
        if (!p.count("algorithm")) p["algorithm"] = "MD5";
        if (p["opaque"] != opaque_ || p["algorithm"] != "MD5" || p["qop"] != "auth")
            return std::nullopt;
        // The cnonce goes back quoted in Authentication-Info: nothing that would end the quotes.
        if (p["cnonce"].find_first_of("\"\\") != std::string::npos) return std::nullopt;
        // The uri the client hashed must be this request's (or, as go-http-auth allows, a
        // prefix of its path).
        const std::string_view target = req.target();
        if (p["uri"] != target) {
            const std::string_view path = target.substr(0, target.find('?'));
            const std::string& uri = p["uri"];
            if (uri.empty() || uri.find('?') != std::string::npos || !path.starts_with(uri)) return std::nullopt;
        }
        const auto users = users_->current();
        const auto found = users->by_key.find(p["username"] + ":" + options_.realm);
        if (found == users->by_key.end()) return std::nullopt;
        const std::string& ha1 = found->second;
        const std::string ha2 = md5_hex(std::string(req.method()) + ":" + p["uri"]);
        const std::string expected =
            md5_hex(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":" + p["qop"] + ":" + ha2);
        if (!auth::same_secret(expected, p["response"])) return std::nullopt;
        std::uint64_t nc = 0;
        const std::string& text = p["nc"];
        if (text.empty() || text.size() > 16 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            return std::nullopt;
        nc = std::stoull(text, nullptr, 16);
        if (nonces_.count(p["nonce"], nc) != nonce_table::use::fresh) {
            stale = true;
            return std::nullopt;
        }
        return ha1;
    }

    auth::auth_options options_;
    std::string opaque_;
    std::unique_ptr<auth::credential_store> users_;
    nonce_table nonces_;
};

}  // namespace
}  // namespace sluice::digestauth

SLUICE_DECLARE_MIDDLEWARE(sluice::digestauth::digest_auth, "digestauth", "1.0.0",
                          "Lets on only requests that prove a user's password with HTTP Digest; 401 otherwise",
                          "users = [\"admin:sluice:e8c498cc4995992b82d403b1a2a10755\"]\nremoveHeader = true\n")
