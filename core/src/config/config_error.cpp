#include "config/config_error.hpp"

namespace sluice::config {

std::string config_error::to_string() const {
    std::string out = source;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!key.empty()) out += key + ": ";
    out += message;
    return out;
}

namespace {
std::string join_errors(const error_list& errors) {
    std::string out;
    for (const auto& e : errors) {
        if (!out.empty()) out += '\n';
        out += e.to_string();
    }
    return out;
}
}  // namespace

config_exception::config_exception(error_list errors)
    : std::runtime_error(join_errors(errors)), errors_(std::move(errors)) {}

std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms % 1000 != 0) return std::to_string(ms) + "ms";
    return std::to_string(ms / 1000) + "s";
}

}  // namespace sluice::config
