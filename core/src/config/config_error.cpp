#include "config/config_error.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

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

bool parse_duration(std::string_view text, std::chrono::milliseconds& out) {
    if (text.empty()) return false;
    if (std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        if (text.size() > 12) return false;
        out = std::chrono::seconds(std::stoll(std::string(text)));
        return true;
    }
    double total_ms = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
        if (i == start || i - start > 12) return false;
        double value = 0;
        try {
            value = std::stod(std::string(text.substr(start, i - start)));
        } catch (...) {
            return false;
        }
        const std::size_t unit_start = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        const std::string_view unit = text.substr(unit_start, i - unit_start);
        double scale = 0;
        if (unit == "ms") scale = 1;
        else if (unit == "s") scale = 1000;
        else if (unit == "m") scale = 60'000;
        else if (unit == "h") scale = 3'600'000;
        else return false;
        total_ms += value * scale;
    }
    out = std::chrono::milliseconds(static_cast<std::int64_t>(total_ms));
    return true;
}

std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms % 1000 != 0) return std::to_string(ms) + "ms";
    return std::to_string(ms / 1000) + "s";
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::string x = to_lower(a), y = to_lower(b);
    std::vector<std::size_t> row(y.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= x.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= y.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (x[i - 1] == y[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[y.size()];
}

}  // namespace sluice::config
