// What the path-rewriting middlewares share (stripPrefix, stripPrefixRegex, addPrefix,
// replacePath, replacePathRegex): the request target as the host forwards it (path and
// query, still percent-encoded) taken apart and put together again, and the routing form
// of the path (escapes decoded, except those of reserved characters and '%') measured against
// it. Header-only; each plugin compiles its own copy.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::path_edit {

// "/a/b?x=1" -> path "/a/b", query "?x=1" (with its '?', or empty).
struct target_parts {
    std::string_view path, query;
};
inline target_parts split_target(std::string_view target) {
    const std::size_t q = target.find('?');
    if (q == std::string_view::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q)};
}

inline int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A '%' at `at` followed by two hex digits.
inline bool is_escape(std::string_view s, std::size_t at) {
    return s[at] == '%' && at + 2 < s.size() && hex(s[at + 1]) >= 0 && hex(s[at + 2]) >= 0;
}

// The reserved characters of RFC 3986 2.2 and '%': the routing path keeps their escapes.
inline bool stays_escaped(char c) {
    return std::string_view(":/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

// Length of the encoded path that spells the first `count` characters of its routing form.
inline std::size_t encoded_length(std::string_view encoded, std::size_t count) {
    std::size_t at = 0;
    for (std::size_t seen = 0; seen < count && at < encoded.size(); ++seen) {
        if (is_escape(encoded, at)) {
            if (stays_escaped(static_cast<char>(hex(encoded[at + 1]) * 16 + hex(encoded[at + 2])))) seen += 2;
            at += 3;
        } else {
            ++at;
        }
    }
    return at;
}

// Whether a segment of the path is "." or "..": a rewritten path that would climb out of
// where it was put is refused (400), as Traefik refuses a path its cleaning would change.
inline bool has_dot_segment(std::string_view path) {
    while (!path.empty()) {
        const auto slash = path.find('/');
        const std::string_view segment = path.substr(0, slash);
        if (segment == "." || segment == "..") return true;
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return false;
}

// Every '%' starts an escape of two hex digits (what Go's url.PathUnescape accepts).
inline bool valid_escapes(std::string_view path) {
    for (std::size_t at = 0; at < path.size(); ++at)
        if (path[at] == '%' && !is_escape(path, at)) return false;
    return true;
}

// The path as a request target may carry it: valid escapes kept, every byte a path may not
// hold as it is (RFC 3986 pchar and '/') escaped. "/a b/%41" -> "/a%20b/%41".
inline std::string escape_path(std::string_view path) {
    static constexpr std::string_view allowed = "-._~!$&'()*+,;=:@/";
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t at = 0; at < path.size(); ++at) {
        const auto c = static_cast<unsigned char>(path[at]);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            allowed.find(static_cast<char>(c)) != std::string_view::npos || is_escape(path, at)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}

inline std::string with_leading_slash(std::string path) {
    if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
    return path;
}

}  // namespace sluice::path_edit
