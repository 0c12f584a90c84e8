#include "runtime/snapshot.hpp"

#include <algorithm>

#include <boost/url/parse.hpp>

namespace sluice::runtime {

void route_table::sort() {
    std::sort(routes_.begin(), routes_.end(), [](const route* a, const route* b) {
        if (a->priority != b->priority) return a->priority > b->priority;
        return a->name < b->name;
    });
}

const route* route_table::match(const route_input& in) const noexcept {
    for (const route* r : routes_)
        if (r->matcher.matches(in)) return r;
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
