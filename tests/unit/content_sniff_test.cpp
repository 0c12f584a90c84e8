// Go's net/http sniff_test table (what Traefik's contentType middleware answers), run against
// the host's sniffing.
#include <gtest/gtest.h>

#include <string>

#include "http/content_sniff.hpp"

namespace sluice::http {
namespace {

using namespace std::string_literals;

TEST(content_sniff, go_detect_content_type_cases) {
    struct {
        std::string data;
        const char* type;
    } cases[] = {
        {"", "text/plain; charset=utf-8"},
        {"\x01\x02\x03"s, "application/octet-stream"},
        {"<HtMl><bOdY>blah blah blah</body></html>", "text/html; charset=utf-8"},
        {"<HTML></HTML>", "text/html; charset=utf-8"},
        {"   <!DOCTYPE HTML>...", "text/html; charset=utf-8"},
        {"\r\n<html>...", "text/html; charset=utf-8"},
        {"<a href=x>", "text/html; charset=utf-8"},
        {"<ab>", "text/plain; charset=utf-8"},  // a tag the rules do not list
        {"This is not HTML. It has \xe2\x98\x83 though.", "text/plain; charset=utf-8"},
        {"\n<?xml!", "text/xml; charset=utf-8"},
        {"\x00\x00\x01\x00"s, "image/x-icon"},
        {"\x00\x00\x02\x00"s, "image/x-icon"},
        {"BM...", "image/bmp"},
        {"GIF87a", "image/gif"},
        {"GIF89a...", "image/gif"},
        {"RIFF\x00\x00\x00\x00WEBPVP"s, "image/webp"},
        {"\x89PNG\x0D\x0A\x1A\x0A", "image/png"},
        {"\xFF\xD8\xFF", "image/jpeg"},
        {"FORM\x00\x00\x00\x00" "AIFF"s, "audio/aiff"},
        {"ID3\x03\x00\x00\x00\x00\x0f"s, "audio/mpeg"},
        {"OggS\x00"s, "application/ogg"},
        {"MThd\x00\x00\x00\x06\x00\x01"s, "audio/midi"},
        {"RIFF\x00\x00\x00\x00WAVE"s, "audio/wave"},
        {"RIFF\x00\x00\x00\x00" "AVI "s, "video/avi"},
        {"\x00\x00\x00\x18\x66typmp42\x00\x00\x00\x00mp42isom<\x06t\xbfmdat"s, "video/mp4"},
        {"\x1A\x45\xDF\xA3\x01\x00\x00\x00"s, "video/webm"},
        {"\x00\x01\x00\x00"s, "font/ttf"},
        {"OTTO", "font/otf"},
        {"ttcf", "font/collection"},
        {"wOFF", "font/woff"},
        {"wOF2", "font/woff2"},
        {"\x1F\x8B\x08"s, "application/x-gzip"},
        {"PK\x03\x04"s, "application/zip"},
        {"Rar!\x1A\x07\x00"s, "application/x-rar-compressed"},
        {"Rar!\x1A\x07\x01\x00"s, "application/x-rar-compressed"},
        {"\x00\x61\x73\x6D\x01\x00"s, "application/wasm"},
        {"%PDF-1.4", "application/pdf"},
        {"\xEF\xBB\xBFtext", "text/plain; charset=utf-8"},
        {"\xFE\xFF\x00h", "text/plain; charset=utf-16be"},
        {"{\"json\": true}", "text/plain; charset=utf-8"},
        // Only the first 512 bytes count: a binary byte after them does not.
        {std::string(512, 'a') + "\x01", "text/plain; charset=utf-8"},
        {std::string(511, 'a') + "\x01", "application/octet-stream"},
    };
    for (const auto& c : cases) EXPECT_EQ(sniff_content_type(c.data), c.type) << "data: " << c.data;
}

}  // namespace
}  // namespace sluice::http
