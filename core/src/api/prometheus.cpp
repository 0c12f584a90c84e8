#include "api/prometheus.hpp"

#include <map>
#include <sstream>
#include <string_view>

#include "config/config_error.hpp"
#include "health/registry.hpp"

namespace sluice::api {

namespace {

// The text format's escaping: a backslash and a line feed in HELP text, and in a label
// value also a double quote. Other control characters (a carriage return would end the
// line for some parsers) become spaces.
std::string escaped(std::string_view v, bool quote) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\' || (quote && c == '"')) out += '\\';
        if (c == '\n') out += "\\n";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
        else out += c;
    }
    return out;
}
std::string label(std::string_view v) { return escaped(v, true); }
// A plugin's help text is the plugin's to choose: it must not break the exposition.
std::string help(std::string_view v) { return escaped(v, false); }

}  // namespace

std::string prometheus(const http::proxy_server::metrics_snapshot& m, const runtime::snapshot& snap,
                       const plugin::plugin_services& services,
                       const control::reload_stats& stats, const plugin::plugin_registry& plugins) {
    std::ostringstream out;
    // Requests per entry point, router and service: counts and duration histograms.
    std::map<std::string, std::map<std::string, http::request_stats>> families;  // family -> labels -> stats
    for (const auto& [k, stats] : m.requests) {
        const std::string common = "code=\"" + std::to_string(k.code) + "\",method=\"" + label(k.method) + "\"";
        // Copies sent to mirrors count for their service alone.
        if (!k.entry_point.empty()) families["entrypoint"]["entrypoint=\"" + label(k.entry_point) + "\"," + common].merge(stats);
        if (!k.router.empty()) families["router"]["router=\"" + label(k.router) + "\",service=\"" + label(k.service) + "\"," + common].merge(stats);
        if (!k.service.empty()) families["service"]["service=\"" + label(k.service) + "\"," + common].merge(stats);
    }
    for (const auto& [family, by_labels] : families) {
        const std::string total = "sluice_" + family + "_requests_total";
        const std::string hist = "sluice_" + family + "_request_duration_seconds";
        out << "# HELP " << total << " Requests handled, by " << family << ", status code and method.\n";
        out << "# TYPE " << total << " counter\n";
        for (const auto& [labels, stats] : by_labels) out << total << "{" << labels << "} " << stats.count << "\n";
        out << "# HELP " << hist << " Time from request head to the end of the response.\n";
        out << "# TYPE " << hist << " histogram\n";
        for (const auto& [labels, stats] : by_labels) {
            for (std::size_t i = 0; i < http::duration_buckets.size(); ++i)
                out << hist << "_bucket{" << labels << ",le=\"" << http::duration_buckets[i] << "\"} " << stats.buckets[i]
                    << "\n";
            out << hist << "_bucket{" << labels << ",le=\"+Inf\"} " << stats.count << "\n";
            out << hist << "_sum{" << labels << "} " << stats.seconds << "\n";
            out << hist << "_count{" << labels << "} " << stats.count << "\n";
        }
    }
    out << "# HELP sluice_open_connections Client connections open now.\n# TYPE sluice_open_connections gauge\n"
        << "sluice_open_connections " << m.open_connections << "\n";
    out << "# HELP sluice_config_reloads_total Configurations applied.\n# TYPE sluice_config_reloads_total counter\n"
        << "sluice_config_reloads_total " << stats.reloads << "\n";
    out << "# HELP sluice_config_rejected_total Provider documents rejected.\n"
           "# TYPE sluice_config_rejected_total counter\nsluice_config_rejected_total "
        << stats.rejected << "\n";
    out << "# HELP sluice_config_last_reload_success Whether the newest document of every provider applied.\n"
           "# TYPE sluice_config_last_reload_success gauge\nsluice_config_last_reload_success "
        << (stats.last_success ? 1 : 0) << "\n";
    out << "# HELP sluice_config_last_reload_success_timestamp_seconds When a configuration last applied.\n"
           "# TYPE sluice_config_last_reload_success_timestamp_seconds gauge\n"
           "sluice_config_last_reload_success_timestamp_seconds "
        << stats.last_success_unix << "\n";
    // One gauge per server of every service.
    const auto per_server = [&](std::string_view family, std::string_view help, auto&& value) {
        out << "# HELP " << family << " " << help << "\n# TYPE " << family << " gauge\n";
        for (const auto& [name, svc] : snap.services)
            for (std::size_t i = 0; i < svc->servers.size(); ++i)
                out << family << "{service=\"" << label(name) << "\",url=\"" << label(svc->servers[i].url) << "\"} "
                    << value(*svc, i) << "\n";
    };
    per_server("sluice_service_server_up", "Whether a server receives traffic (1) or not (0).",
               [](const runtime::service& svc, std::size_t i) { return health::server_up(svc, i) ? 1 : 0; });
    per_server("sluice_service_server_requests_in_flight", "Requests sent to a server and not ended.",
               [](const runtime::service& svc, std::size_t i) {
                   return svc.health[i]->load.in_flight.load(std::memory_order_relaxed);
               });
    per_server("sluice_service_server_request_duration_average_seconds",
               "Moving average (EWMA, alpha 0.2) of the durations of a server's requests.",
               [](const runtime::service& svc, std::size_t i) {
                   return svc.health[i]->load.average_us.load(std::memory_order_relaxed) / 1e6;
               });
    out << "# HELP sluice_plugin_load_failures_total Plugin files refused at start-up.\n"
           "# TYPE sluice_plugin_load_failures_total counter\nsluice_plugin_load_failures_total "
        << plugins.refusals().size() << "\n";
    out << "# HELP sluice_plugin_faults_total Plugin hooks that failed (threw), per plugin, instance and hook.\n"
           "# TYPE sluice_plugin_faults_total counter\n";
    for (const auto& [key, total] : services.faults().totals()) {
        const auto& [plugin, kind, instance, hook] = key;
        out << "sluice_plugin_faults_total{plugin=\"" << label(plugin) << "\",kind=\"" << label(kind)
            << "\",instance=\"" << label(instance) << "\",hook=\"" << label(hook) << "\"} " << total << "\n";
    }
    // Plugins' own metrics (sorted by name), one family per name.
    std::string family;
    for (const auto& m : services.metrics()) {
        if (m->name != family) {
            family = m->name;
            out << "# HELP " << m->name << " " << help(m->help) << "\n# TYPE " << m->name << " "
                << (m->kind == sluice_metric::type::counter ? "counter" : "gauge") << "\n";
        }
        out << m->name << "{plugin=\"" << label(m->plugin) << "\",instance=\"" << label(m->instance) << "\"} "
            << m->value.load(std::memory_order_relaxed) << "\n";
    }
    return out.str();
}

}  // namespace sluice::api
