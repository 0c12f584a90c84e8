#include "http/content_sniff.hpp"

#include <array>
#include <cstdint>

namespace sluice::http {

namespace {

bool whitespace(unsigned char c) { return c == '\t' || c == '\n' || c == '\x0C' || c == '\r' || c == ' '; }

std::string_view skip_whitespace(std::string_view d) {
    while (!d.empty() && whitespace(static_cast<unsigned char>(d.front()))) d.remove_prefix(1);
    return d;
}

bool starts_with_ci(std::string_view d, std::string_view upper) {
    if (d.size() < upper.size()) return false;
    for (std::size_t i = 0; i < upper.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(d[i]);
        if (c >= 'a' && c <= 'z') c = static_cast<unsigned char>(c - 'a' + 'A');
        if (c != static_cast<unsigned char>(upper[i])) return false;
    }
    return true;
}

// An HTML tag the spec lists, in any case, after leading whitespace, then a space or '>'.
bool html_tag(std::string_view d, std::string_view tag) {
    d = skip_whitespace(d);
    if (!starts_with_ci(d, tag) || d.size() <= tag.size()) return false;
    const char next = d[tag.size()];
    return next == ' ' || next == '>';
}

// `pattern` under `mask` (each byte of data ANDed with the mask's), whitespace first when asked.
bool masked(std::string_view d, std::string_view mask, std::string_view pattern, bool skip_ws = false) {
    if (skip_ws) d = skip_whitespace(d);
    if (d.size() < pattern.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i)
        if ((static_cast<unsigned char>(d[i]) & static_cast<unsigned char>(mask[i])) != static_cast<unsigned char>(pattern[i]))
            return false;
    return true;
}

std::uint32_t be32(std::string_view d) {
    return (std::uint32_t(static_cast<unsigned char>(d[0])) << 24) | (std::uint32_t(static_cast<unsigned char>(d[1])) << 16) |
           (std::uint32_t(static_cast<unsigned char>(d[2])) << 8) | std::uint32_t(static_cast<unsigned char>(d[3]));
}

// An ISO base media file ("ftyp" box) with an "mp4" brand.
bool mp4(std::string_view d) {
    if (d.size() < 12) return false;
    const std::uint32_t box = be32(d);
    if (box % 4 != 0 || d.size() < box || d.substr(4, 4) != "ftyp") return false;
    for (std::uint32_t at = 8; at < box; at += 4) {
        if (at == 12) continue;  // the minor version
        if (d.substr(at, 3) == "mp4") return true;
    }
    return false;
}

// No byte that text never holds (control characters other than whitespace and ESC).
bool text(std::string_view d) {
    for (const char ch : d) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F)) return false;
    }
    return true;
}

using namespace std::string_view_literals;

struct exact {
    std::string_view prefix, type;
};

}  // namespace

std::string_view sniff_content_type(std::string_view d) noexcept {
    d = d.substr(0, 512);
    static constexpr std::array<std::string_view, 17> html_tags{
        "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE",
        "<A",             "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--"};
    for (const auto tag : html_tags)
        if (html_tag(d, tag)) return "text/html; charset=utf-8";
    if (skip_whitespace(d).starts_with("<?xml")) return "text/xml; charset=utf-8";
    static constexpr exact exacts[] = {
        {"%PDF-"sv, "application/pdf"},
        {"%!PS-Adobe-"sv, "application/postscript"},
        {"\xFE\xFF"sv, "text/plain; charset=utf-16be"},
        {"\xFF\xFE"sv, "text/plain; charset=utf-16le"},
        {"\xEF\xBB\xBF"sv, "text/plain; charset=utf-8"},
        {"\x00\x00\x01\x00"sv, "image/x-icon"},
        {"\x00\x00\x02\x00"sv, "image/x-icon"},
        {"BM"sv, "image/bmp"},
        {"GIF87a"sv, "image/gif"},
        {"GIF89a"sv, "image/gif"},
        {"\x89PNG\x0D\x0A\x1A\x0A"sv, "image/png"},
        {"\xFF\xD8\xFF"sv, "image/jpeg"},
        {"ID3"sv, "audio/mpeg"},
        {"OggS\x00"sv, "application/ogg"},
        {"MThd\x00\x00\x00\x06"sv, "audio/midi"},
        {"\x1A\x45\xDF\xA3"sv, "video/webm"},
        {"\x1F\x8B\x08"sv, "application/x-gzip"},
        {"PK\x03\x04"sv, "application/zip"},
        {"Rar!\x1A\x07\x00"sv, "application/x-rar-compressed"},
        {"Rar!\x1A\x07\x01\x00"sv, "application/x-rar-compressed"},
        {"\x00\x61\x73\x6D"sv, "application/wasm"},
        {"OTTO"sv, "font/otf"},
        {"ttcf"sv, "font/collection"},
        {"wOFF"sv, "font/woff"},
        {"wOF2"sv, "font/woff2"},
    };
    for (const auto& e : exacts)
        if (d.starts_with(e.prefix)) return e.type;
    // RIFF and FORM containers, and TrueType (its version bytes), by mask.
    constexpr auto any4 = "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF"sv;
    if (masked(d, "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF"sv, "RIFF\x00\x00\x00\x00WEBPVP"sv))
        return "image/webp";
    if (masked(d, any4, "FORM\x00\x00\x00\x00" "AIFF"sv)) return "audio/aiff";
    if (masked(d, any4, "RIFF\x00\x00\x00\x00" "AVI "sv)) return "video/avi";
    if (masked(d, any4, "RIFF\x00\x00\x00\x00WAVE"sv)) return "audio/wave";
    if (mp4(d)) return "video/mp4";
    if (d.starts_with("\x00\x01\x00\x00"sv)) return "font/ttf";
    if (text(d)) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

}  // namespace sluice::http
