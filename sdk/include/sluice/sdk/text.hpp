// Small text helpers for plugins, shared with the host. Configuration keys are
// case-insensitive everywhere (labels arrive lower-cased), so plugins compare their keys
// with iequals; durations and "did you mean" suggestions follow Traefik's conventions.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::sdk {

// ASCII case folding: keys, header names and hosts are ASCII (RFC 9110, RFC 3986), and the
// C library's tolower() would cost a call per character and depend on the locale.
constexpr char ascii_lower(char c) noexcept {
    return static_cast<unsigned char>(c - 'A') < 26 ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// `s` without the spaces, tabs, newlines, carriage returns, vertical tabs and form feeds
// at its ends (Go's strings.TrimSpace for ASCII text).
inline std::string_view trim(std::string_view s) noexcept {
    constexpr std::string_view space = " \t\n\r\v\f";
    const auto first = s.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

// Case-insensitive Levenshtein distance, for "did you mean" suggestions.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
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

// The candidate `name` is most likely a misspelling of, if any is close enough: within two
// edits, or a third of the name's length for long names.
inline std::optional<std::string> closest_spelling(std::string_view name, const std::vector<std::string>& candidates) {
    const std::string* best = nullptr;
    std::size_t best_distance = 0;
    for (const auto& candidate : candidates) {
        const std::size_t d = edit_distance(name, candidate);
        if (!best || d < best_distance) best = &candidate, best_distance = d;
    }
    if (best && best_distance <= std::max<std::size_t>(2, name.size() / 3)) return *best;
    return std::nullopt;
}

// "1m30s", "500ms", "2h", or a bare integer meaning seconds (as Traefik accepts).
// Returns false on anything else.
inline bool parse_duration(std::string_view text, std::chrono::milliseconds& out) {
    const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    if (text.empty()) return false;
    if (std::all_of(text.begin(), text.end(), digit)) {
        if (text.size() > 12) return false;
        out = std::chrono::seconds(std::stoll(std::string(text)));
        return true;
    }
    double total_ms = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        while (i < text.size() && (digit(text[i]) || text[i] == '.')) ++i;
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

}  // namespace sluice::sdk
