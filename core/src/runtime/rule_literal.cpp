#include "runtime/rule_literal.hpp"

#include <cstdint>

namespace sluice::runtime {

namespace {

// Reads `count` digits of base 8 or 16 at `at`.
bool read_digits(std::string_view s, std::size_t at, std::size_t count, unsigned base, std::uint32_t& value) {
    if (at + count > s.size()) return false;
    value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        const char c = s[i];
        unsigned d = 16;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        if (d >= base) return false;
        value = value * base + d;
    }
    return true;
}

bool append_utf8(std::uint32_t cp, std::string& out) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return true;
}

}  // namespace

std::size_t go_string_end(std::string_view text, std::size_t open) {
    for (std::size_t i = open + 1; i < text.size(); ++i) {
        if (text[i] == '\\') ++i;
        else if (text[i] == '"') return i;
    }
    return std::string_view::npos;
}

bool unquote_go_string(std::string_view s, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n') return false;
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i == s.size()) return false;
        std::uint32_t v = 0;
        switch (s[i]) {
            case 'a': out += '\a'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'v': out += '\v'; break;
            case '\\':
            case '"': out += s[i]; break;
            case 'x':
                if (!read_digits(s, i + 1, 2, 16, v)) return false;
                out += static_cast<char>(v);
                i += 2;
                break;
            case 'u':
            case 'U': {
                const std::size_t n = s[i] == 'u' ? 4 : 8;
                if (!read_digits(s, i + 1, n, 16, v) || !append_utf8(v, out)) return false;
                i += n;
                break;
            }
            default:
                // \ooo: exactly three octal digits, at most \377.
                if (!read_digits(s, i, 3, 8, v) || v > 0377) return false;
                out += static_cast<char>(v);
                i += 2;
        }
    }
    return true;
}

}  // namespace sluice::runtime
