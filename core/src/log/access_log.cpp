#include "log/access_log.hpp"

#include <fmt/chrono.h>
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace sluice::log {

access_log::access_log(const config::access_log_config& cfg) : json_(cfg.format == "json") {
    spdlog::init_thread_pool(65536, 1);
    // Overrun the oldest entries rather than block a worker when the writer falls behind.
    if (cfg.file_path.empty())
        logger_ = spdlog::create_async_nb<spdlog::sinks::stdout_sink_mt>("access");
    else
        logger_ = spdlog::create_async_nb<spdlog::sinks::basic_file_sink_mt>("access", cfg.file_path);
    logger_->set_pattern("%v");
    logger_->set_level(spdlog::level::info);
    logger_->flush_on(spdlog::level::info);
}

access_log::~access_log() { spdlog::drop("access"); }

void access_log::write(const access_entry& e) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.duration).count();
    if (json_) {
        boost::json::object o;
        o["ClientHost"] = e.client_ip;
        o["StartUTC"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(e.start)));
        o["RequestMethod"] = e.method;
        o["RequestPath"] = e.target;
        o["RequestProtocol"] = e.version == 10 ? "HTTP/1.0" : "HTTP/1.1";
        o["DownstreamStatus"] = e.status;
        o["DownstreamContentSize"] = e.bytes;
        o["RequestReferer"] = e.referer;
        o["RequestUserAgent"] = e.user_agent;
        o["RequestCount"] = e.request_count;
        o["RouterName"] = e.router;
        o["ServiceURL"] = e.server_url;
        o["Duration"] = std::chrono::duration_cast<std::chrono::nanoseconds>(e.duration).count();
        logger_->info("{}", boost::json::serialize(o));
        return;
    }
    auto dash = [](std::string_view s) { return s.empty() ? std::string_view("-") : s; };
    logger_->info("{} - - [{:%d/%b/%Y:%H:%M:%S +0000}] \"{} {} HTTP/{}.{}\" {} {} \"{}\" \"{}\" {} \"{}\" \"{}\" {}ms",
                  e.client_ip, fmt::gmtime(std::chrono::system_clock::to_time_t(e.start)), e.method, e.target,
                  e.version / 10, e.version % 10, e.status, e.bytes, dash(e.referer), dash(e.user_agent),
                  e.request_count, dash(e.router), dash(e.server_url), ms);
}

}  // namespace sluice::log
