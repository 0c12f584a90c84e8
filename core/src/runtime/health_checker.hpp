// Active health checks: probes every server of the services that ask for it, on the
// control thread, and flips their verdict after the configured consecutive results.
// State is carried over by service and server URL across configuration changes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "runtime/snapshot.hpp"

namespace sluice::runtime {

class health_checker {
public:
    explicit health_checker(boost::asio::io_context& control) : control_(control) {}
    ~health_checker();

    // Applies the known verdicts to `next` and starts probing its servers; the probes of
    // the previous snapshot stop. Call on the control thread, before publishing `next`.
    void watch(const std::shared_ptr<const snapshot>& next);

private:
    struct server_state {
        bool up = true;
        unsigned failures = 0;   // consecutive
        unsigned successes = 0;  // consecutive
    };

    struct round;
    boost::asio::awaitable<void> probe_loop(std::shared_ptr<round> r, std::shared_ptr<const snapshot> snap,
                                            const service& svc, std::size_t index);
    boost::asio::awaitable<bool> probe(const service& svc, const server& s, std::string& reason);
    void record(const service& svc, std::size_t index, bool ok, const std::string& reason);

    boost::asio::io_context& control_;
    std::shared_ptr<round> current_;
    // By service name and server URL.
    std::map<std::pair<std::string, std::string>, server_state> states_;
};

}  // namespace sluice::runtime
