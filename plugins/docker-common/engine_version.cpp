// The Engine API version agreed with the daemon (engine_link.hpp).
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "engine_json.hpp"
#include "engine_link.hpp"

namespace sluice::docker {

namespace {

// The newest Engine API this provider speaks; older daemons are met at their version.
constexpr int newest_api_minor = 45;

std::pair<int, int> parse_version(std::string_view v) {
    const auto dot = v.find('.');
    if (dot == std::string_view::npos) return {0, 0};
    try {
        return {std::stoi(std::string(v.substr(0, dot))), std::stoi(std::string(v.substr(dot + 1)))};
    } catch (...) {
        return {0, 0};
    }
}

}  // namespace

std::string negotiate(const std::string& version_body) {
    const auto version = json::parse(version_body);
    if (!version.is_object()) throw engine_error("GET /version did not answer with an object");
    const auto daemon_max = parse_version(json_string(version.as_object().if_contains("ApiVersion")));
    const auto daemon_min = parse_version(json_string(version.as_object().if_contains("MinAPIVersion")));
    const std::pair<int, int> use = std::min(std::make_pair(1, newest_api_minor), daemon_max);
    if (use < daemon_min)
        throw engine_refusal("the daemon needs API " + std::to_string(daemon_min.first) + "." +
                           std::to_string(daemon_min.second) + " or newer; this provider speaks up to 1." +
                           std::to_string(newest_api_minor));
    return "/v" + std::to_string(use.first) + "." + std::to_string(use.second);
}

}  // namespace sluice::docker
