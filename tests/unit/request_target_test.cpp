#include <cctype>
#include <cstdio>

#include <gtest/gtest.h>

#include "http/request_target.hpp"

using sluice::http::parse_request_target;
using sluice::http::request_target;
using sluice::http::target_form;

namespace {

struct parsed {
    bool ok;
    request_target t;
};

parsed parse(std::string_view target) {
    parsed p;
    p.ok = parse_request_target(target, p.t);
    return p;
}

TEST(request_target, forward_and_routing_forms) {
    struct {
        const char* target;
        const char* forward;
        const char* routing;
        const char* query;
    } cases[] = {
        // Traefik mux_test TestRoutingPath.
        {"/foo%20bar", "/foo%20bar", "/foo bar", ""},
        {"/foo%2Fbar", "/foo%2Fbar", "/foo%2Fbar", ""},
        {"/foo%20bar%2Fbaz%23qux", "/foo%20bar%2Fbaz%23qux", "/foo bar%2Fbaz%23qux", ""},
        // Traefik TestPathOperations (normalisation part; Sluice does not merge or resolve segments).
        {"/b/%41%42%43//%2f/", "/b/ABC//%2F/", "/b/ABC//%2F/", ""},
        {"/a/%252E%252E/b/", "/a/%252E%252E/b/", "/a/%252E%252E/b/", ""},
        {"/foo%20%2Fbar", "/foo%20%2Fbar", "/foo %2Fbar", ""},
        {"/a/..%2Fb/", "/a/..%2Fb/", "/a/..%2Fb/", ""},
        // Escapes are upper-cased; reserved ones stay escaped for routing, others are decoded.
        {"/%7b%7D", "/%7B%7D", "/{}", ""},
        {"/%3a%40%21", "/%3A%40%21", "/%3A%40%21", ""},
        {"/caf%c3%a9", "/caf%C3%A9", "/caf\xC3\xA9", ""},
        {"/%0a", "/%0A", "/\n", ""},
        // Raw bytes Go escapes before forwarding; sub-delims, ':' '@' '[' ']' stay raw.
        {"/{path:css}", "/%7Bpath:css%7D", "/{path:css}", ""},
        {"/a\"b|c^", "/a%22b%7Cc%5E", "/a\"b|c^", ""},
        {"/caf\xC3\xA9", "/caf%C3%A9", "/caf\xC3\xA9", ""},
        {"/!$&'()*+,;=:@[]", "/!$&'()*+,;=:@[]", "/!$&'()*+,;=:@[]", ""},
        // The query is kept as received (escapes and all), with ';' as a separator like '&'.
        {"/x?q=%7b}&a=b", "/x?q=%7b}&a=b", "/x", "q=%7b}&a=b"},
        {"/x?a=1;b=2", "/x?a=1&b=2", "/x", "a=1&b=2"},
        {"/x?", "/x?", "/x", ""},
        {"/%61pi?x=%61", "/api?x=%61", "/api", "x=%61"},
        {"/x?frag#ment", "/x?frag#ment", "/x", "frag#ment"},
    };
    for (const auto& c : cases) {
        const auto p = parse(c.target);
        ASSERT_TRUE(p.ok) << c.target;
        EXPECT_EQ(p.t.form, target_form::origin);
        EXPECT_EQ(p.t.forward_target, c.forward) << c.target;
        EXPECT_EQ(p.t.routing_path, c.routing) << c.target;
        EXPECT_EQ(p.t.query(), c.query) << c.target;
        EXPECT_EQ(p.t.path(), std::string_view(c.forward).substr(0, std::string_view(c.forward).find('?'))) << c.target;
        EXPECT_EQ(p.t.rewritten, std::string_view(c.forward) != c.target) << c.target;
        EXPECT_TRUE(p.t.authority.empty());
    }
}

// Traefik TestNormalizePath: every unreserved escape decoded, every reserved one kept.
TEST(request_target, every_unreserved_escape_is_decoded_and_every_reserved_one_kept) {
    std::string target = "/";
    for (int c = 0; c < 256; ++c) {
        const bool unreserved = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved && c < 128) {
            char e[4];
            std::snprintf(e, sizeof e, "%%%02x", c);
            target += e;
        }
    }
    const std::string reserved = "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25";
    const auto p = parse(target + reserved + "%0a");
    ASSERT_TRUE(p.ok);
    const std::string decoded = "/-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";
    EXPECT_EQ(p.t.forward_target, decoded + reserved + "%0A");
    EXPECT_EQ(p.t.routing_path, decoded + reserved + "\n");
}

TEST(request_target, malformed_targets_are_refused) {
    const char* cases[] = {
        "",           // nothing
        "/%",         // Traefik TestNormalizePath_malformedPercentEncoding
        "/%f",        //
        "/%zz/x",     // not hex
        "/a%2",       //
        "/a#frag",    // a fragment in the path (Traefik denyFragment)
        "x/y",        // no form at all
        "example.com",        // authority-form needs a port
        "user@example.com:80",  // and no userinfo
        "http://exa mple.com/",  // invalid authority
        "http://example.com#x",  // fragment right after the authority
        "http://example.com/a%zz",
        "://x/y",
    };
    for (const char* c : cases) EXPECT_FALSE(parse(c).ok) << c;
}

TEST(request_target, absolute_form_is_routed_by_its_authority_and_forwarded_in_origin_form) {
    struct {
        const char* target;
        const char* authority;
        const char* forward;
        const char* routing;
    } cases[] = {
        {"http://example.com/x?y=1", "example.com", "/x?y=1", "/x"},
        {"http://Example.COM:8080/a%2fb%61", "Example.COM:8080", "/a%2Fba", "/a%2Fba"},
        {"http://example.com", "example.com", "/", "/"},
        {"http://example.com?q", "example.com", "/?q", "/"},
        {"https://user:pw@example.com/p", "example.com", "/p", "/p"},   // userinfo dropped, as Go does
        {"http://[::1]:80/p", "[::1]:80", "/p", "/p"},
        {"HTTP://example.com/p", "example.com", "/p", "/p"},
        // An empty host leaves the Host header in charge (Traefik TestEmptyHost).
        {"http://@/", "", "/", "/"},
    };
    for (const auto& c : cases) {
        const auto p = parse(c.target);
        ASSERT_TRUE(p.ok) << c.target;
        EXPECT_EQ(p.t.form, target_form::absolute) << c.target;
        EXPECT_EQ(p.t.authority, c.authority) << c.target;
        EXPECT_EQ(p.t.forward_target, c.forward) << c.target;
        EXPECT_EQ(p.t.routing_path, c.routing) << c.target;
        EXPECT_TRUE(p.t.rewritten) << c.target;
    }
}

TEST(request_target, asterisk_and_authority_forms_are_recognised) {
    const auto star = parse("*");
    ASSERT_TRUE(star.ok);
    EXPECT_EQ(star.t.form, target_form::asterisk);
    EXPECT_EQ(star.t.forward_target, "*");

    const auto connect = parse("example.com:443");
    ASSERT_TRUE(connect.ok);
    EXPECT_EQ(connect.t.form, target_form::authority);
    EXPECT_EQ(connect.t.authority, "example.com:443");
}

TEST(request_target, a_reused_object_forgets_the_previous_request) {
    request_target t;
    ASSERT_TRUE(parse_request_target("http://a.example/long/path?x=1", t));
    ASSERT_TRUE(parse_request_target("/b", t));
    EXPECT_EQ(t.form, target_form::origin);
    EXPECT_EQ(t.forward_target, "/b");
    EXPECT_EQ(t.routing_path, "/b");
    EXPECT_EQ(t.query(), "");
    EXPECT_TRUE(t.authority.empty());
    EXPECT_FALSE(t.rewritten);
}

}  // namespace
