#include "api/api_server.hpp"

#include <charconv>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse_query.hpp>

#include "api/dashboard.hpp"
#include "api/prometheus.hpp"
#include "api/views.hpp"

namespace sluice::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;

namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// The decoded value of a query parameter of `target` (a terminated string: Boost.URL 1.81
// must not see a view into a longer buffer), empty when absent or malformed.
std::string query_value(const std::string& target, std::string_view key) {
    const auto q = target.find('?');
    if (q == std::string::npos) return {};
    const std::string query = target.substr(q + 1);
    auto params = boost::urls::parse_query(query);
    if (!params) return {};
    for (auto param : *params)
        if (param.key.decode() == key) return param.has_value ? param.value.decode() : std::string();
    return {};
}

std::size_t number_or(const std::string& text, std::size_t fallback) {
    std::size_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc{} && end == text.data() + text.size() && v > 0 ? v : fallback;
}

}  // namespace

std::string served_paths(const config::api_config& api) {
    std::string out;
    for (const auto& [on, path] : {std::pair{api.rest, "/api"}, std::pair{api.dashboard, "/dashboard"},
                                   std::pair{api.ping, "/ping"}, std::pair{api.metrics, "/metrics"}})
        if (on) out += std::string(out.empty() ? "" : ", ") + path;
    return out.empty() ? "nothing" : out;
}

api_server::api_server(net::io_context& control, api_context ctx)
    : control_(control), ctx_(std::move(ctx)), acceptor_(control) {}

std::string api_server::listen(const config::listen_address& address) {
    boost::system::error_code ec;
    const auto ip = net::ip::make_address(address.host.empty() ? "0.0.0.0" : address.host, ec);
    if (ec) throw std::runtime_error("api: \"" + address.host + "\" is not an IP address");
    const net::ip::tcp::endpoint endpoint(ip, address.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("api: cannot listen on " + address.to_string() + ": " + ec.message());
    std::ostringstream text;
    text << acceptor_.local_endpoint();
    return text.str();
}

void api_server::start() { net::co_spawn(control_, accept_loop(), net::detached); }

void api_server::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
}

net::awaitable<void> api_server::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(nothrow);
        if (ec) co_return;
        net::co_spawn(control_, session(std::move(socket)), net::detached);
    }
}

net::awaitable<void> api_server::session(net::ip::tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024);
        stream.expires_after(std::chrono::seconds(30));
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, nothrow);
        if (ec) co_return;
        const auto& req = parser.get();
        const std::string target(req.target());
        const std::string path = target.substr(0, target.find('?'));
        bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
        res.keep_alive(req.keep_alive());
        auto send_json = [&](const json::value& v) {
            res.set(bhttp::field::content_type, "application/json");
            res.body() = json::serialize(v);
        };

        const auto snap = ctx_.store.load();
        static const config::dynamic_config empty;
        std::vector<std::string> eps;
        for (const auto& ep : ctx_.cfg.entry_points) eps.push_back(ep.name);
        views v{*snap, snap->config ? *snap->config : empty, eps};
        // A list: paginated with page/per_page, the next page in X-Next-Page (1 when none).
        auto send_list = [&](json::array all) {
            const std::size_t per_page = number_or(query_value(target, "per_page"), 100);
            const std::size_t page = number_or(query_value(target, "page"), 1);
            json::array out;
            const std::size_t first = (page - 1) * per_page;
            for (std::size_t i = first; i < all.size() && i < first + per_page; ++i) out.push_back(all[i]);
            res.set("X-Next-Page", std::to_string(first + per_page < all.size() ? page + 1 : 1));
            send_json(out);
        };
        auto one = [&](std::string_view prefix, auto fn, const std::vector<std::string>& names) {
            const std::string name = path.substr(prefix.size());
            if (std::find(names.begin(), names.end(), name) == names.end()) {
                res.result(bhttp::status::not_found);
                send_json(json::object{{"message", "\"" + name + "\" not found"}});
            } else {
                send_json(fn(name));
            }
        };
        const bool needs_metrics = path == "/metrics" || path.starts_with("/api/http/services") || path == "/api/overview";
        http::proxy_server::metrics_snapshot metrics;
        if (needs_metrics) {
            metrics = co_await ctx_.proxy.collect_metrics();
            v.metrics = &metrics;
        }
        auto router_fn = [&](const std::string& n) { return v.router(n); };
        auto service_fn = [&](const std::string& n) { return v.service(n); };
        auto middleware_fn = [&](const std::string& n) { return v.middleware(n); };

        // What this listener serves (Traefik's ping alone, say, serves /ping and nothing else).
        const auto& served = *ctx_.cfg.api;
        const bool off = (path == "/ping" && !served.ping) || (path == "/metrics" && !served.metrics) ||
                         ((path == "/" || path.starts_with("/dashboard")) && !served.dashboard) ||
                         (path.starts_with("/api/") && !served.rest);
        if (off) {
            res.result(bhttp::status::not_found);
            send_json(json::object{{"message", "not served here: " + path}});
        } else if (path == "/ping") {
            res.result(draining_ ? bhttp::status::service_unavailable : bhttp::status::ok);
            res.body() = draining_ ? "draining" : "OK";
        } else if (path == "/metrics") {
            res.set(bhttp::field::content_type, "text/plain; version=0.0.4");
            res.body() = prometheus(metrics, *snap, ctx_.plugin_services, ctx_.watcher.stats(), ctx_.plugins);
        } else if (path == "/" || path == "/dashboard") {
            res.result(bhttp::status::found);
            res.set(bhttp::field::location, "/dashboard/");
        } else if (path == "/dashboard/") {
            res.set(bhttp::field::content_type, "text/html; charset=utf-8");
            res.body() = std::string(dashboard_html);
        } else if (path == "/api/version") {
            send_json(json::object{{"Version", ctx_.version}});
        } else if (path == "/api/overview") {
            auto count = [](const auto& names, const auto& disabled, const auto& stale) {
                return json::object{{"total", names.size()}, {"errors", disabled.size()}, {"warnings", stale.size()}};
            };
            json::array providers;
            if (ctx_.cfg.file_provider) providers.emplace_back("file");
            for (const auto& p : ctx_.cfg.providers) providers.emplace_back(p.name);
            send_json(json::object{
                {"http", json::object{
                             {"routers", count(v.router_names(), snap->disabled.routers, snap->stale.routers)},
                             {"services", count(v.service_names(), snap->disabled.services, snap->stale.services)},
                             {"middlewares",
                              count(v.middleware_names(), snap->disabled.middlewares, snap->stale.middlewares)}}},
                {"providers", providers},
                {"openConnections", metrics.open_connections}});
        } else if (path == "/api/entrypoints" || path.starts_with("/api/entrypoints/")) {
            json::array all;
            for (const auto& ep : ctx_.cfg.entry_points)
                all.push_back(json::object{{"name", ep.name}, {"address", ep.address.to_string()}});
            if (path == "/api/entrypoints") send_list(all);
            else one("/api/entrypoints/", [&](const std::string& n) {
                     for (const auto& e : all) if (e.as_object().at("name").as_string() == n) return e.as_object();
                     return json::object{};
                 }, eps);
        } else if (path == "/api/http/routers") {
            send_list(v.all(v.router_names(), router_fn));
        } else if (path.starts_with("/api/http/routers/")) {
            one("/api/http/routers/", router_fn, v.router_names());
        } else if (path == "/api/http/services") {
            send_list(v.all(v.service_names(), service_fn));
        } else if (path.starts_with("/api/http/services/")) {
            one("/api/http/services/", service_fn, v.service_names());
        } else if (path == "/api/http/middlewares") {
            send_list(v.all(v.middleware_names(), middleware_fn));
        } else if (path.starts_with("/api/http/middlewares/")) {
            one("/api/http/middlewares/", middleware_fn, v.middleware_names());
        } else if (path == "/api/plugins") {
            // The loaded plugins and the files refused, as `sluice plugins` lists them.
            json::array loaded, refused;
            for (const auto& p : ctx_.plugins.plugins()) {
                const auto* d = p.descriptor;
                json::object o{{"name", d->name},
                               {"kind", p.kind_name()},
                               {"version", d->version},
                               {"abi", std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor)},
                               {"summary", d->summary ? d->summary : ""},
                               {"exampleConfig", d->example_config ? d->example_config : ""},
                               {"file", p.file.string()}};
                if (p.kind() == SLUICE_KIND_BALANCER) o["role"] = p.wraps() ? "wrapper" : "strategy";
                loaded.push_back(std::move(o));
            }
            for (const auto& r : ctx_.plugins.refusals()) refused.emplace_back(r);
            send_json(json::object{{"plugins", std::move(loaded)}, {"refused", std::move(refused)}});
        } else if (path == "/api/rawdata") {
            json::object routers, services, middlewares;
            for (const auto& n : v.router_names()) routers[n] = v.router(n);
            for (const auto& n : v.service_names()) services[n] = v.service(n);
            for (const auto& n : v.middleware_names()) middlewares[n] = v.middleware(n);
            send_json(json::object{{"routers", routers}, {"services", services}, {"middlewares", middlewares}});
        } else {
            res.result(bhttp::status::not_found);
            send_json(json::object{{"message", "no such API path: " + path}});
        }
        res.prepare_payload();
        stream.expires_after(std::chrono::seconds(30));
        auto [wec, wn] = co_await bhttp::async_write(stream, res, nothrow);
        if (wec || !res.keep_alive()) co_return;
    }
}

}  // namespace sluice::api
