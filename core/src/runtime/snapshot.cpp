#include "runtime/snapshot.hpp"

#include <algorithm>

#include <boost/url/parse.hpp>

namespace sluice::runtime {

std::int64_t steady_now_ms() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
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
