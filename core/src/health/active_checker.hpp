// Active health checks: probes every server of the services that ask for it, on the
// control thread, and flips their verdict after the configured consecutive results. The
// verdict lives in the server's shared state (health::registry), so it survives a reload;
// the consecutive-result counts are kept here, by service and server URL.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "runtime/snapshot.hpp"

namespace sluice::health {

class active_checker {
public:
    explicit active_checker(boost::asio::io_context& control) : control_(control) {}
    ~active_checker();

    // Starts probing the servers of `next`, whose health state the registry has already
    // adopted; the probes of services `next` no longer serves stop, those of services it
    // kept from the snapshot before go on. Servers of services without active checks are UP
    // as far as active checks go. Call on the control thread, before publishing `next`.
    void watch(const std::shared_ptr<const runtime::snapshot>& next);

private:
    struct probe_counts {
        unsigned failures = 0;   // consecutive
        unsigned successes = 0;  // consecutive
    };

    struct round;
    boost::asio::awaitable<void> probe_loop(std::shared_ptr<round> r, const runtime::service& svc, std::size_t index);
    boost::asio::awaitable<bool> probe(const runtime::service& svc, const runtime::server& s, std::string& reason);
    void record(const runtime::service& svc, std::size_t index, bool ok, const std::string& reason);

    boost::asio::io_context& control_;
    std::map<const runtime::service*, std::shared_ptr<round>> rounds_;  // by service object
    // By service name and server URL.
    std::map<std::pair<std::string, std::string>, probe_counts> counts_;
};

}  // namespace sluice::health
