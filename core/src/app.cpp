#include "app.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "api/api_server.hpp"
#include "config/static_loader.hpp"
#include "http/server.hpp"
#include "log/access_log.hpp"
#include "log/logging.hpp"
#include "control/configuration_watcher.hpp"
#include "control/document_check.hpp"
#include "control/provider_host.hpp"
#include "control/snapshot_publisher.hpp"
#include "health/active_checker.hpp"
#include "health/registry.hpp"
#include "plugin/plugin_registry.hpp"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

namespace sluice {

namespace net = boost::asio;

namespace {

std::vector<std::string> entry_point_names(const config::static_config& cfg) {
    std::vector<std::string> names;
    for (const auto& ep : cfg.entry_points) names.push_back(ep.name);
    return names;
}

std::vector<std::filesystem::path> plugin_search_path(const config::static_config* cfg, const options& opts) {
    if (!opts.plugin_dirs.empty()) return opts.plugin_dirs;
    if (cfg && !cfg->plugin_paths.empty()) return cfg->plugin_paths;
    return {plugin::default_plugin_folder()};
}

std::string hostname() {
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0) return "sluice";
    return name;
}

void print_errors(const config::error_list& errors) {
    for (const auto& e : errors) std::cerr << "error: " << e.to_string() << "\n";
}

// The static configuration from where `opts` says (static_loader.hpp), or nothing after
// printing every error in it; its warnings printed.
std::optional<config::loaded_static_config> load_or_report(const options& opts) {
    config::static_sources sources;
    sources.config = opts.config;
    sources.traefik_args = opts.traefik_args;
    for (char** e = environ; e && *e; ++e) sources.environment.emplace_back(*e);
    try {
        auto loaded = config::load_static(sources);
        for (const auto& w : loaded.warnings) std::cerr << "warning: " << w << "\n";
        return loaded;
    } catch (const config::config_exception& e) {
        print_errors(e.errors());
        return std::nullopt;
    }
}

}  // namespace

int run_proxy(const options& opts) {
    log::setup("info");
    auto loaded = load_or_report(opts);
    if (!loaded) return 2;
    const config::static_config cfg = std::move(loaded->cfg);
    spdlog::info("static configuration read from {}", loaded->form);
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));
    plugin::plugin_services services;

    const auto plugins = plugin::plugin_registry::scan(plugin_search_path(&cfg, opts));
    for (const auto& refusal : plugins.refusals()) spdlog::error("plugin refused: {}", refusal);
    for (const auto& p : plugins.plugins())
        spdlog::info("plugin {} {} ({}) loaded from {}", p.name(), p.descriptor->version, p.kind_name(),
                     p.file.string());

    net::io_context control{1};
    runtime::snapshot_store store;
    control::configuration_watcher watcher(control, cfg.providers_throttle, plugins.balancer_wrappers());
    control::snapshot_publisher publisher(plugins, services, entry_point_names(cfg), store);
    health::registry health_states;
    health::active_checker checker(control);
    watcher.add_listener([&publisher](std::uint64_t generation, const config::dynamic_config& merged) {
        publisher.apply(generation, merged);
    });
    // Health state first: the checker probes the servers with the verdicts carried over.
    publisher.add_listener([&](const std::shared_ptr<runtime::snapshot>& next) {
        health_states.adopt(next);
        checker.watch(next);
    });
    control::provider_host providers(watcher);
    std::unique_ptr<log::access_log> access;
    if (cfg.access_log) access = std::make_unique<log::access_log>(*cfg.access_log);

    http::server_context context{cfg, store, access.get(), hostname(), &control};
    const std::size_t workers = opts.workers.value_or(std::max(1u, std::thread::hardware_concurrency()));
    http::proxy_server server(context, workers);

    if (auto source = control::file_provider_source(cfg)) {
        providers.start_file(control, std::move(*source));
        // Serve the file's routes from the first connection on.
        while (store.generation() == 0 && control.run_one_for(std::chrono::seconds(5))) {
        }
        control.restart();  // running out of work above leaves the context stopped
    }
    providers.start_plugins(plugins, services, cfg);

    // Before the first "listening" line: a signal that arrives as soon as the proxy answers
    // is queued for the handler below instead of killing the process.
    net::signal_set signals(control, SIGINT, SIGTERM, SIGHUP);
    std::unique_ptr<api::api_server> api_server;
    try {
        for (const auto& [name, address] : server.listen())
            spdlog::info("entry point {} listening on {}", name, address);
        if (cfg.api) {
            api_server = std::make_unique<api::api_server>(
                control, api::api_context{cfg, store, watcher, server, plugins, services, SLUICE_VERSION});
            const std::string bound = api_server->listen(cfg.api->address);
            if (cfg.api->rest && cfg.api->dashboard) spdlog::info("API and dashboard listening on {}", bound);
            else spdlog::info("API entry point listening on {} ({})", bound, api::served_paths(*cfg.api));
        }
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    server.start();
    if (api_server) api_server->start();
    spdlog::info("sluice started with {} worker(s)", workers);

    net::steady_timer grace(control);
    std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
            spdlog::info("SIGHUP: re-reading the file provider");
            providers.reread_files();
            signals.async_wait(on_signal);
            return;
        }
        std::chrono::milliseconds grace_time{0};
        for (const auto& ep : cfg.entry_points) grace_time = std::max(grace_time, ep.grace_timeout);
        spdlog::info("shutting down: finishing in-flight requests (grace period {} ms)", grace_time.count());
        providers.stop();
        if (api_server) api_server->set_draining();
        server.drain([&control] { net::post(control, [&control] { control.stop(); }); });
        grace.expires_after(grace_time);
        grace.async_wait([&control](boost::system::error_code e) {
            if (e) return;
            spdlog::warn("grace period over: closing the connections still open");
            control.stop();
        });
    };
    signals.async_wait(on_signal);
    control.run();
    if (api_server) api_server->stop();
    server.stop();
    spdlog::info("stopped");
    return 0;
}

int run_check(const options& opts) {
    auto loaded = load_or_report(opts);
    if (!loaded) return 1;
    const config::static_config cfg = std::move(loaded->cfg);
    log::setup("warn");
    plugin::plugin_services services;
    const auto plugins = plugin::plugin_registry::scan(plugin_search_path(&cfg, opts));
    config::error_list errors;
    for (const auto& refusal : plugins.refusals()) errors.push_back({"plugins", 0, "", "refused " + refusal});

    if (auto source = control::file_provider_source(cfg)) {
        const control::file_scan scan = control::read_file_documents(*source);
        for (const auto& [path, reason] : scan.unreadable) errors.push_back({path.string(), 0, "", "cannot read: " + reason});
        auto more = control::check_documents("file", scan.documents, source->shared_file, plugins, services,
                                             entry_point_names(cfg));
        errors.insert(errors.end(), more.begin(), more.end());
    }
    for (const auto& p : cfg.providers) control::create_plugin_provider(plugins, services, p, errors);
    print_errors(errors);
    if (!errors.empty()) {
        std::cerr << errors.size() << " error(s) in " << loaded->form << "\n";
        return 1;
    }
    std::cout << loaded->form << ": configuration OK\n";
    return 0;
}

int run_migrate(const options& opts) {
    const auto loaded = load_or_report(opts);
    if (!loaded) return 1;
    try {
        std::cout << config::native_toml(*loaded);
        return 0;
    } catch (const config::config_exception& e) {
        print_errors(e.errors());
        return 1;
    }
}

// Where a plugin's example configuration goes.
static std::string example_table(const plugin::loaded_plugin& p) {
    const std::string name(p.name());
    switch (p.kind()) {
        case SLUICE_KIND_BALANCER: return "http.services.<service>.loadBalancer." + name;
        case SLUICE_KIND_MIDDLEWARE: return "http.middlewares.<middleware>." + name;
        default: return "providers.<instance>";
    }
}

// A plugin's example table body, placed where it goes: a TOML document to copy. A strategy
// is named in its service's loadBalancer table, with or without options.
static void print_example(const plugin::loaded_plugin& p) {
    const std::string table = example_table(p);
    const std::string name(p.name());
    const std::string_view body = p.descriptor->example_config ? p.descriptor->example_config : "";
    if (p.kind() == SLUICE_KIND_BALANCER && !p.wraps())
        std::printf("    [http.services.<service>.loadBalancer]\n    strategy = \"%s\"\n", name.c_str());
    if (body.empty()) return;
    std::printf("    [%s]\n", table.c_str());
    if (p.kind() == SLUICE_KIND_PROVIDER) std::printf("    plugin = \"%s\"\n", name.c_str());
    std::istringstream lines{std::string(body)};
    for (std::string line; std::getline(lines, line);) {
        // A sub-table of the body ("[cookie]") is a sub-table of the plugin's table.
        if (line.starts_with("[[")) line = "[[" + table + "." + line.substr(2);
        else if (line.starts_with("[")) line = "[" + table + "." + line.substr(1);
        std::printf("    %s\n", line.c_str());
    }
}

int run_plugins(const options& opts) {
    // A configuration only when one is given (its [plugins] paths); the default folder otherwise.
    std::optional<config::static_config> cfg;
    if (opts.config || !opts.traefik_args.empty() || std::filesystem::exists("sluice.toml")) {
        auto loaded = load_or_report(opts);
        if (!loaded) return 1;
        cfg = std::move(loaded->cfg);
    }
    const auto folders = plugin_search_path(cfg ? &*cfg : nullptr, opts);
    const auto plugins = plugin::plugin_registry::scan(folders);
    std::printf("%-16s %-11s %-9s %-5s %s\n", "NAME", "KIND", "VERSION", "ABI", "FILE");
    for (const auto& p : plugins.plugins()) {
        const auto* d = p.descriptor;
        const std::string abi = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
        // A wrapping balancer shows as "wrapper": it is switched on by its table, not named as a strategy.
        const std::string kind = p.wraps() ? "wrapper" : std::string(p.kind_name());
        std::printf("%-16s %-11s %-9s %-5s %s\n", d->name, kind.c_str(), d->version, abi.c_str(), p.file.c_str());
        if (d->summary && *d->summary) std::printf("    %s\n", d->summary);
        print_example(p);
    }
    for (const auto& refusal : plugins.refusals()) std::fprintf(stderr, "refused: %s\n", refusal.c_str());
    return plugins.refusals().empty() ? 0 : 1;
}

}  // namespace sluice

namespace sluice {

int run_healthcheck(const options& opts) {
    const auto loaded = load_or_report(opts);
    if (!loaded) return 1;
    const config::static_config& cfg = loaded->cfg;
    if (!cfg.api || !cfg.api->ping) {
        std::cerr << "healthcheck: the configuration serves no /ping (Sluice's [api], Traefik's ping or api.insecure)\n";
        return 1;
    }
    namespace beast = boost::beast;
    try {
        net::io_context ioc;
        beast::tcp_stream stream(ioc);
        stream.expires_after(std::chrono::seconds(5));
        const auto& a = cfg.api->address;
        const std::string host = a.host.empty() || a.host == "0.0.0.0" ? "127.0.0.1" : a.host;
        stream.connect(net::ip::tcp::endpoint(net::ip::make_address(host), a.port));
        beast::http::request<beast::http::empty_body> req{beast::http::verb::get, "/ping", 11};
        req.set(beast::http::field::host, host);
        beast::http::write(stream, req);
        beast::flat_buffer buffer;
        beast::http::response<beast::http::string_body> res;
        beast::http::read(stream, buffer, res);
        if (res.result_int() == 200) return 0;
        std::cerr << "healthcheck: /ping answered " << res.result_int() << " " << res.body() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "healthcheck: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace sluice
