// The access log: one line per request, Traefik's common format or JSON, formatted on the
// worker and written by a background thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "config/static_config.hpp"

namespace spdlog {
class logger;
}

namespace sluice::log {

struct access_entry {
    std::string_view client_ip;
    std::chrono::system_clock::time_point start;
    std::string_view method;
    std::string_view target;
    unsigned version = 11;
    unsigned status = 0;
    std::uint64_t bytes = 0;
    std::string_view referer;
    std::string_view user_agent;
    std::uint64_t request_count = 0;  // requests served on this connection so far
    std::string_view router;
    std::string_view server_url;
    std::chrono::microseconds duration{};
};

class access_log {
public:
    explicit access_log(const config::access_log_config& cfg);
    ~access_log();
    void write(const access_entry& e);

private:
    bool json_;
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace sluice::log
