// Health state per service name and server URL, carried from snapshot to snapshot: the
// active verdict, a passive ejection and its failure window live in one shared object that
// every snapshot serving the server refers to, so a reload forgets none of them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "runtime/snapshot.hpp"

namespace sluice::health {

class registry {
public:
    // Control thread, before `next` is published: gives each server of `next` the state it
    // had under the same service name and URL (a server new to it keeps the fresh state the
    // builder made), and forgets the servers `next` no longer has.
    void adopt(const std::shared_ptr<runtime::snapshot>& next);

    // The carried state of one server; nullptr when the newest snapshot does not serve it.
    std::shared_ptr<const runtime::server_health> find(const std::string& service, const std::string& url) const;
    std::size_t size() const noexcept { return states_.size(); }

private:
    std::map<std::pair<std::string, std::string>, std::shared_ptr<runtime::server_health>> states_;
};

// Whether a server of a published snapshot takes traffic: its active check passes (or it
// has none) and it is not ejected. Any thread.
bool server_up(const runtime::service& svc, std::size_t index) noexcept;
// The same for the API: "UP" or "DOWN".
std::string_view server_status(const runtime::service& svc, std::size_t index) noexcept;

}  // namespace sluice::health
