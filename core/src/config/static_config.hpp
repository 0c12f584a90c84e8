// Static configuration: read once at start-up (Traefik v3 names).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/config_error.hpp"
#include "sluice/sdk/ip_network.hpp"
#include "config/plugin_table.hpp"

namespace sluice::config {

using std::chrono::milliseconds;

struct listen_address {
    std::string host;  // empty: every interface
    std::uint16_t port = 0;
    std::string to_string() const;
};
// ":8000", "127.0.0.1:8000", "[::1]:8000", "localhost:8000". Returns false when malformed.
bool parse_listen_address(std::string_view text, listen_address& out);

struct entry_point_config {
    std::string name;
    listen_address address;
    milliseconds read_timeout{60'000};    // request head, and each read of a request body
    milliseconds write_timeout{60'000};   // each write to the client
    milliseconds idle_timeout{180'000};   // keep-alive wait for the next request
    milliseconds grace_timeout{10'000};   // in-flight requests on shutdown
    std::size_t max_header_bytes = 32 * 1024;
    std::size_t max_header_count = 100;
    bool forwarded_insecure = false;      // trust X-Forwarded-* from every client
    std::vector<sdk::ip_network> forwarded_trusted;
};

struct forwarding_config {
    milliseconds dial_timeout{30'000};
    milliseconds response_header_timeout{60'000};
    milliseconds idle_conn_timeout{90'000};
    milliseconds read_timeout{60'000};       // each read of an upstream body
    std::size_t max_idle_per_host = 200;
};

struct access_log_config {
    std::string format = "common";  // common | json
    std::string file_path;          // empty: standard output
};

struct file_provider_config {
    std::filesystem::path filename;   // both empty: the [http] tables of the static file
    std::filesystem::path directory;  // every .toml/.yml/.yaml file in it and its sub-folders
    bool watch = true;
};

// A provider plugin instance: [providers.<name>], created from plugin `plugin` (default: name).
struct provider_instance_config {
    std::string name;
    std::string plugin;
    plugin_table options;  // [providers.<name>] without its `plugin` key
};

// What the API listener serves ([api]; Traefik's api.insecure, ping and metrics.prometheus).
struct api_config {
    listen_address address{"127.0.0.1", 8080};
    bool rest = true;       // /api/...
    bool dashboard = true;  // /dashboard/
    bool ping = true;       // /ping
    bool metrics = true;    // /metrics
};

struct static_config {
    std::filesystem::path source;
    std::vector<entry_point_config> entry_points;
    forwarding_config forwarding;
    std::optional<api_config> api;
    std::string log_level = "info";
    std::optional<access_log_config> access_log;
    std::vector<std::filesystem::path> plugin_paths;  // empty: the default next to the binary
    std::optional<file_provider_config> file_provider;
    bool inline_http = false;  // the static file itself has [http] tables
    milliseconds providers_throttle{50};
    std::vector<provider_instance_config> providers;
};

// Parses and validates; throws config_exception listing every error.
static_config parse_static_config(const toml::table& root, const std::string& source);
static_config load_static_config(const std::filesystem::path& file);

// Parses a TOML file, turning a syntax error into a config_exception with its position.
toml::table parse_toml_file(const std::filesystem::path& file);
toml::table parse_toml_text(std::string_view text, const std::string& source);

}  // namespace sluice::config
