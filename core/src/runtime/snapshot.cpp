#include "runtime/snapshot.hpp"

#include <algorithm>
#include <functional>

#include <boost/url/parse.hpp>

#include "sluice/sdk/cookies.hpp"

namespace sluice::runtime {

std::int64_t steady_now_ms() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool service::available(std::int64_t now_ms) const noexcept {
    using kind = config::service_config::kind;
    if (type == kind::load_balancer)
        return std::any_of(health.begin(), health.end(), [&](const auto& h) { return h->available(now_ms); });
    // A mirroring service serves with its main service alone.
    if (type == kind::mirroring) return !children.empty() && children.front().svc->available(now_ms);
    return std::any_of(children.begin(), children.end(), [&](const child& c) { return c.svc->available(now_ms); });
}

const service* service::owner_of(const server* s) const noexcept {
    const std::less<const server*> before;  // a total order, also for pointers into other arrays
    if (!servers.empty() && !before(s, servers.data()) && before(s, servers.data() + servers.size())) return this;
    for (const auto& c : children)
        if (const service* found = c.svc->owner_of(s)) return found;
    return nullptr;
}

const service& service::resolve(std::int64_t now_ms, request_choices* choices) const {
    using kind = config::service_config::kind;
    if (type == kind::load_balancer || children.empty()) return *this;
    if (type == kind::mirroring) {
        // Request n of the service goes to a mirror of p % when ceil(n p / 100) grows: p
        // requests in every hundred, evenly spread, the first of each run included (as
        // Traefik's count * 100 < total * percent has it).
        const std::uint64_t n = turn.fetch_add(1, std::memory_order_relaxed) + 1;
        if (choices)
            for (std::size_t i = 1; i < children.size(); ++i) {
                const std::uint64_t p = children[i].weight;
                if ((n * p + 99) / 100 != ((n - 1) * p + 99) / 100) choices->mirrors.push_back({children[i].svc, this});
            }
        return children.front().svc->resolve(now_ms, choices);
    }
    if (type == kind::failover) {
        for (const auto& c : children)
            if (c.svc->available(now_ms)) return c.svc->resolve(now_ms, choices);
        return children.front().svc->resolve(now_ms, choices);
    }
    // Weighted: the service the request's cookie pins while it has a server up, else the
    // next turn of the schedule whose service has one (and a cookie for it).
    if (sticky && choices)
        if (const auto value = sdk::cookie_value(choices->cookies, sticky->name))
            for (std::size_t i = 0; i < children.size(); ++i)
                if (sticky->values[i] == *value && children[i].svc->available(now_ms))
                    return children[i].svc->resolve(now_ms, choices);
    const std::size_t n = schedule.size();
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint32_t i = schedule[turn.fetch_add(1, std::memory_order_relaxed) % n];
        if (!children[i].svc->available(now_ms)) continue;
        if (sticky && choices) choices->set_cookies.push_back(sticky->name + "=" + sticky->values[i] + sticky->attributes);
        return children[i].svc->resolve(now_ms, choices);
    }
    return children.front().svc->resolve(now_ms, choices);
}

namespace {
bool goes_first(const route* a, const route* b) noexcept {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->name < b->name;
}
}  // namespace

void route_table::add(const route* r) {
    if (const auto& host = r->matcher.required_host()) by_host_[*host].push_back(r);
    else any_host_.push_back(r);
}

void route_table::sort() {
    for (auto& [host, routes] : by_host_) std::sort(routes.begin(), routes.end(), goes_first);
    std::sort(any_host_.begin(), any_host_.end(), goes_first);
}

const route* route_table::match(const route_input& in) const noexcept {
    static const std::vector<const route*> none;
    const auto it = in.host.empty() ? by_host_.end() : by_host_.find(in.host);
    const auto& hosted = it == by_host_.end() ? none : it->second;
    std::size_t i = 0, j = 0;
    while (i < hosted.size() || j < any_host_.size()) {
        const bool take_hosted = j == any_host_.size() || (i < hosted.size() && goes_first(hosted[i], any_host_[j]));
        const route* r = take_hosted ? hosted[i++] : any_host_[j++];
        if (r->matcher.matches(in)) return r;
    }
    return nullptr;
}

bool parse_upstream_url(std::string_view url, upstream_endpoint& out) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) return false;
    std::string host = parsed->host_address();  // without IPv6 brackets
    if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    out.host = host;
    out.port = parsed->has_port() ? parsed->port_number() : 80;
    if (parsed->has_port() && out.port == 0) return false;
    out.authority = std::string(parsed->encoded_host_and_port());
    out.key = out.host + ":" + std::to_string(out.port);
    return true;
}

}  // namespace sluice::runtime
