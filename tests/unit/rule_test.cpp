#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "http/request_target.hpp"
#include "runtime/rule.hpp"

using sluice::runtime::rule;
using sluice::runtime::route_input;

// Counts this thread's allocations, to show that evaluating rules allocates nothing.
namespace {
thread_local std::size_t allocations = 0;
}
void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

// A request as the proxy prepares it for routing, from an absolute URL as in Traefik's tests.
struct request {
    std::string host;
    sluice::http::request_target target;
    std::string method = "GET";
    std::string client_ip = "127.0.0.1";
    sluice::runtime::fields headers;

    explicit request(std::string_view url) {
        EXPECT_TRUE(sluice::http::parse_request_target(url, target)) << url;
        host = sluice::runtime::canonical_host(target.authority);
    }
    route_input input() const { return {host, target.routing_path, method, target.query(), client_ip, &headers}; }
};

// Each URL of `urls` is matched (true) or not (false) by `text`.
void expect_matches(std::string_view text, std::initializer_list<std::pair<const char*, bool>> urls) {
    std::string error;
    const auto r = rule::parse(text, error);
    ASSERT_TRUE(r) << text << ": " << error;
    for (const auto& [url, expected] : urls) EXPECT_EQ(r->matches(request(url).input()), expected) << text << " " << url;
}

bool matches(std::string_view text, route_input in) {
    std::string error;
    auto r = rule::parse(text, error);
    EXPECT_TRUE(r) << text << ": " << error;
    return r && r->matches(in);
}

TEST(rule, host_and_path_prefix) {
    struct {
        const char* rule;
        route_input in;
        bool expected;
    } cases[] = {
        {"Host(`demo.localhost`)", {"demo.localhost", "/", "GET", "", "", nullptr}, true},
        {"Host(`demo.localhost`)", {"other.localhost", "/", "GET", "", "", nullptr}, false},
        {"Host(`Demo.LocalHost.`)", {"demo.localhost", "/", "GET", "", "", nullptr}, true},
        {"Host(`demo.localhost`)", {"", "/", "GET", "", "", nullptr}, false},
        {"Host(`*.example.com`)", {"a.example.com", "/", "GET", "", "", nullptr}, true},
        {"Host(`*.example.com`)", {"a.b.example.com", "/", "GET", "", "", nullptr}, false},
        {"Host(`*.example.com`)", {"example.com", "/", "GET", "", "", nullptr}, false},
        {"PathPrefix(`/api`)", {"x", "/apiary", "GET", "", "", nullptr}, true},
        {"PathPrefix(`/api/`)", {"x", "/api", "GET", "", "", nullptr}, false},
        {"Path(`/a`)", {"x", "/a/", "GET", "", "", nullptr}, false},
        {"Host(`a`) && PathPrefix(`/api/`)", {"a", "/api/x", "GET", "", "", nullptr}, true},
        {"Host(`a`) && PathPrefix(`/api/`)", {"b", "/api/x", "GET", "", "", nullptr}, false},
        {"Host(`a`) || Host(`b`) && Path(`/x`)", {"a", "/y", "GET", "", "", nullptr}, true},
        {"Host(`a`) || Host(`b`) && Path(`/x`)", {"b", "/y", "GET", "", "", nullptr}, false},
        {"(Host(`a`) || Host(`b`)) && Path(`/x`)", {"a", "/y", "GET", "", "", nullptr}, false},
        {"!Host(`a`)", {"b", "/", "GET", "", "", nullptr}, true},
        {"!(Host(`a`) || Host(`b`))", {"b", "/", "GET", "", "", nullptr}, false},
        {"host(\"a\") && METHOD(`post`)", {"a", "/", "POST", "", "", nullptr}, true},
    };
    for (const auto& c : cases) EXPECT_EQ(matches(c.rule, c.in), c.expected) << c.rule << " host=" << c.in.host;
}

TEST(rule, every_matcher) {
    sluice::runtime::fields h;
    h.insert("X-Env", "staging");
    h.insert("X-Env", "prod");
    h.insert("Accept", "application/json");
    auto in = [&](std::string_view host, std::string_view path, std::string_view query = "",
                  std::string_view ip = "10.1.2.3", std::string_view method = "GET") {
        return route_input{host, path, method, query, ip, &h};
    };
    struct {
        const char* rule;
        route_input in;
        bool expected;
    } cases[] = {
        {"HostRegexp(`^[a-z]+\\.example\\.com$`)", in("api.example.com", "/"), true},
        {"HostRegexp(`^[a-z]+\\.example\\.com$`)", in("a.b.example.com", "/"), false},
        {"HostRegexp(`example`)", in("www.example.org", "/"), true},  // unanchored
        {"PathRegexp(`^/v[0-9]+/`)", in("x", "/v2/users"), true},
        {"PathRegexp(`^/v[0-9]+/`)", in("x", "/vx/users"), false},
        {"Header(`X-Env`, `prod`)", in("x", "/"), true},  // any value
        {"Header(`x-env`, `prod`)", in("x", "/"), true},  // names are case-insensitive
        {"Header(`X-Env`, `pro`)", in("x", "/"), false},  // values exact
        {"Header(`X-Missing`, `a`)", in("x", "/"), false},
        {"HeaderRegexp(`Accept`, `json$`)", in("x", "/"), true},
        {"Query(`debug`)", in("x", "/", "debug"), true},
        {"Query(`debug`)", in("x", "/", "debug="), true},
        {"Query(`debug`)", in("x", "/", "debug=1"), false},
        {"Query(`q`, `a b`)", in("x", "/", "q=a+b"), true},
        {"Query(`q`, `a/b`)", in("x", "/", "x=1&q=a%2Fb"), true},
        {"Query(`q`, `2`)", in("x", "/", "q=1&q=2"), true},
        {"Query(`beta`, `yes`)", in("x", "/api/x", "beta=yes"), true},
        {"Header(`X-Beta`, `1`) || Query(`beta`, `yes`)", in("x", "/api/x", "beta=yes"), true},
        {"QueryRegexp(`id`, `^[0-9]+$`)", in("x", "/", "id=42"), true},
        {"QueryRegexp(`id`, `^[0-9]+$`)", in("x", "/", "id=4x"), false},
        {"ClientIP(`10.0.0.0/8`)", in("x", "/"), true},
        {"ClientIP(`10.1.2.3`)", in("x", "/"), true},
        {"ClientIP(`192.168.0.0/16`)", in("x", "/"), false},
        {"ClientIP(`::1`)", in("x", "/", "", "::1"), true},
        {"Method(`POST`) && Header(`X-Env`, `prod`)", in("x", "/", "", "1.1.1.1", "POST"), true},
        {"!Method(`GET`)", in("x", "/"), false},
        {"QUERY(`debug`) || PATH(`/x`)", in("x", "/x"), true},
    };
    for (const auto& c : cases) EXPECT_EQ(matches(c.rule, c.in), c.expected) << c.rule;
}

TEST(rule, query_view_inside_a_longer_buffer_is_read_to_its_end_only) {
    // The query is a view into the request head: the bytes after it belong to others.
    const std::string head = "beta=yes HTTP/1.1\r\nHost: d";
    const route_input in{"d", "/api/x", "GET", std::string_view(head).substr(0, 8), "127.0.0.1", nullptr};
    EXPECT_TRUE(matches("Query(`beta`, `yes`)", in));
}

TEST(rule, required_host_is_found_for_indexing) {
    struct {
        const char* rule;
        const char* host;
    } cases[] = {
        {"Host(`A.example.com`)", "a.example.com"},
        {"PathPrefix(`/x`) && Host(`b`)", "b"},
        {"Host(`a`) || Host(`b`)", nullptr},
        {"!Host(`a`)", nullptr},
        {"Host(`*.a`)", nullptr},
        {"PathPrefix(`/`)", nullptr},
    };
    for (const auto& c : cases) {
        std::string error;
        auto r = rule::parse(c.rule, error);
        ASSERT_TRUE(r) << error;
        if (c.host) EXPECT_EQ(r->required_host(), std::optional<std::string>(c.host)) << c.rule;
        else EXPECT_FALSE(r->required_host()) << c.rule;
    }
}

TEST(rule, errors_point_at_the_position) {
    struct {
        const char* rule;
        const char* error;
    } cases[] = {
        {"", "the rule is empty"},
        {"Host(`a`", "position 9: expected \")\""},
        {"Host(`a`) &&", "unexpected end of rule"},
        {"Hots(`a`)", "position 1: unknown matcher \"Hots\""},
        {"Host(``)", "empty value"},
        {"Host(a)", "expected a value in backticks or double quotes"},
        {"PathPrefix(`api`)", "must start with \"/\""},
        {"Host(`a`, `b`)", "Host takes 1 argument(s), got 2"},
        {"Host(`a`) Host(`b`)", "position 11: unexpected"},
        {"HoSt(`a`)", "unknown matcher"},
        {"HostRegexp(`(`)", "HostRegexp: invalid regular expression"},
        {"ClientIP(`10.0.0.0/40`)", "is not an IP address or CIDR range"},
        {"Header(`a`)", "Header takes 2 argument(s), got 1"},
        {"Query(`a`, `b`, `c`)", "Query takes 1 or 2 argument(s), got 3"},
        {"Host(`a`) && && Path(`/`)", "position 14: expected a matcher"},
        {"!", "unexpected end of rule"},
    };
    for (const auto& c : cases) {
        std::string error;
        EXPECT_FALSE(rule::parse(c.rule, error)) << c.rule;
        EXPECT_NE(error.find(c.error), std::string::npos) << c.rule << " gave: " << error;
    }
}

TEST(canonical_host, strips_port_brackets_and_trailing_dot) {
    using sluice::runtime::canonical_host;
    EXPECT_EQ(canonical_host("Demo.Localhost:8000"), "demo.localhost");
    EXPECT_EQ(canonical_host("demo.localhost."), "demo.localhost");
    EXPECT_EQ(canonical_host("[::1]:80"), "::1");
    EXPECT_EQ(canonical_host(""), "");
}

// Traefik pkg/rules NewParser: as written, lower, UPPER and Title case of the lower form.
TEST(rule, matcher_names_in_the_four_forms_traefik_accepts) {
    const char* const names[][4] = {
        {"Host", "host", "HOST", "Host"},
        {"HostRegexp", "hostregexp", "HOSTREGEXP", "Hostregexp"},
        {"Path", "path", "PATH", "Path"},
        {"PathPrefix", "pathprefix", "PATHPREFIX", "Pathprefix"},
        {"PathRegexp", "pathregexp", "PATHREGEXP", "Pathregexp"},
        {"Method", "method", "METHOD", "Method"},
        {"Header", "header", "HEADER", "Header"},
        {"HeaderRegexp", "headerregexp", "HEADERREGEXP", "Headerregexp"},
        {"Query", "query", "QUERY", "Query"},
        {"QueryRegexp", "queryregexp", "QUERYREGEXP", "Queryregexp"},
        {"ClientIP", "clientip", "CLIENTIP", "Clientip"},
    };
    const char* args[] = {"(`example.com`)", "(`^example`)", "(`/css`)", "(`/css`)", "(`^/css`)", "(`GET`)",
                          "(`X-A`, `1`)", "(`X-A`, `1`)", "(`q`, `1`)", "(`q`, `1`)", "(`127.0.0.1`)"};
    for (std::size_t m = 0; m < std::size(names); ++m)
        for (const char* name : names[m]) {
            std::string error;
            EXPECT_TRUE(rule::parse(std::string(name) + args[m], error)) << name << ": " << error;
        }
    for (const char* wrong : {"HoSt(`a`)", "pathPrefix(`/`)", "PathPREFIX(`/`)", "ClientIp(`::1`)", "hOST(`a`)"}) {
        std::string error;
        EXPECT_FALSE(rule::parse(wrong, error)) << wrong;
        EXPECT_NE(error.find("unknown matcher"), std::string::npos) << wrong << ": " << error;
    }
    // Traefik mux_test "Rule case ...".
    for (const char* text : {"PATHPREFIX(\"/css\")", "pathprefix(\"/css\")", "PathPrefix(\"/css\")", "Pathprefix(\"/css\")"})
        expect_matches(text, {{"https://example.com/css", true}, {"https://example.com/js", false}});
}

TEST(rule, host_star_matches_every_request_even_without_a_host) {
    expect_matches("Host(`*`)", {{"https://test.example.com", true}, {"https://example.com", true},
                                 {"https://localhost", true}, {"http://@/", true}});
    std::string error;
    const auto r = rule::parse("Host(`*`)", error);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->matches({"", "/", "GET", "", "127.0.0.1", nullptr}));
    EXPECT_FALSE(r->required_host());
    const auto negated = rule::parse("!Host(`*`)", error);
    ASSERT_TRUE(negated);
    EXPECT_FALSE(negated->matches({"a", "/", "GET", "", "127.0.0.1", nullptr}));
}

TEST(rule, non_ascii_host_rules_are_refused) {
    struct {
        const char* rule;
        const char* error;
    } cases[] = {
        {"Host(`\xF0\x9F\xA6\xAD.com`)", "position 1: invalid value \"\xF0\x9F\xA6\xAD.com\" for Host matcher, non-ASCII characters are not allowed"},
        {"HostRegexp(`\xF0\x9F\xA6\xAD.com`)", "for HostRegexp matcher, non-ASCII characters are not allowed"},
        {"Path(`/a`) || host(`caf\xC3\xA9.fr`)", "position 15: invalid value"},
    };
    for (const auto& c : cases) {
        std::string error;
        EXPECT_FALSE(rule::parse(c.rule, error)) << c.rule;
        EXPECT_NE(error.find(c.error), std::string::npos) << c.rule << " gave: " << error;
    }
    // The punycode form is the one to write; a raw UTF-8 request host does not match it.
    expect_matches("Host(`xn--9t9h.com`)", {{"https://xn--9t9h.com/path", true}, {"https://example.com", false}});
    // Paths may hold any character.
    expect_matches("Path(`/caf\xC3\xA9`)", {{"http://a/caf%C3%A9", true}, {"http://a/cafe", false}});
}

// Traefik matcher_test TestHostMatcher / TestHostRegexpMatcher / TestMuxer (hosts).
TEST(rule, traefik_host_cases) {
    expect_matches("Host(`example.com`)", {{"https://example.com", true}, {"https://example.com:8080", true},
                                           {"https://EXAMPLE.COM/path", true}, {"https://example.org", false},
                                           {"https://example.com.", true}, {"https://example.org./path", false}});
    expect_matches("Host(`example.com.`)", {{"https://example.com", true}, {"https://example.com./path", true},
                                            {"https://example.org.", false}});
    expect_matches("Host(`EXAMPLE.COM`)", {{"https://example.com/path", true}, {"https://example.org", false}});
    expect_matches("Host(`*.example.com`)", {{"https://test.example.com", true}, {"https://other.example.com", true},
                                             {"https://example.com", false}, {"https://test.otherexample.com", false},
                                             {"https://a.b.example.com", false}});
    expect_matches("Host(`127.0.0.1`)", {{"http://127.0.0.1/foo", true}});
    expect_matches("Host(`10::10`)", {{"http://[10::10]/foo", true}});
    expect_matches("HostRegexp(`^[a-zA-Z-]+\\.com$`)", {{"https://example.com:8080", true}, {"https://example.org", false}});
    expect_matches("HostRegexp(`^[A-Z]+\\.com$`)", {{"https://EXAMPLE.com", false}});  // sees the lower-cased host
    expect_matches("HostRegexp(`{domain:[a-zA-Z-]+\\.com}`)", {{"https://example.com", false}});  // v2 syntax: literal
}

// Traefik matcher_test TestPath*Matcher: paths in routing form.
TEST(rule, traefik_path_cases) {
    expect_matches("Path(`/css`)", {{"https://example.com", false}, {"https://example.org/css", true},
                                    {"https://example.com/css/", false}, {"https://example.com/css/main.css", false}});
    expect_matches("PathPrefix(\"/css\")", {{"https://example.com/html", false}, {"https://example.com/css/main.css", true}});
    expect_matches("PathRegexp(`^/(css|js)`)", {{"https://example.com/CSS", false}, {"https://example.com/js/main.js", true},
                                                {"https://example.com", false}});
    // v2 syntax is a literal '{' in v3: it matches raw and %7B-encoded braces alike.
    expect_matches("PathRegexp(\"/{path:(css|js)}\")", {{"https://example.org/css", false},
                                                        {"https://example.com/{path:css}", true},
                                                        {"https://example.com/%7Bpath:js%7D/", true},
                                                        {"https://example.com/%7bpath:js%7d", true}});
    // Two path forms: unreserved and other non-reserved escapes decoded, reserved kept.
    expect_matches("Path(`/foo bar`)", {{"http://a/foo%20bar", true}, {"http://a/foo+bar", false}});
    expect_matches("PathPrefix(`/api/`)", {{"http://a/%61pi/x", true}, {"http://a/api%2Fx", false}});
    expect_matches("Path(`/a%2Fb`)", {{"http://a/a%2fb", true}, {"http://a/a/b", false}});
    expect_matches("Path(`/100%25`)", {{"http://a/100%25", true}});
}

// Traefik matcher_test TestQueryMatcher / TestQueryRegexpMatcher, read as Go's url.ParseQuery.
TEST(rule, traefik_query_cases) {
    expect_matches("Query(`q`, `traefik`)",
                   {{"https://example.com", false}, {"https://example.com?q=traefik", true},
                    {"https://example.com?rel=ddg&q=traefik", true}, {"https://example.com?q=awesome&q=traefik", true},
                    {"https://example.com?q=TRAEFIK", false}, {"https://example.com?Q=traefik", false},
                    {"https://example.com?rel=traefik", false}, {"https://example.com?q=tr%61efik", true},
                    {"https://example.com?%71=traefik", true}, {"https://example.com?a=1;q=traefik", true}});
    expect_matches("Query(`mobile`)", {{"https://example.com", false}, {"https://example.com?mobile", true},
                                       {"https://example.com?mobile=", true}, {"https://example.com?mobile=true", false}});
    expect_matches("QueryRegexp(`q`, `^(traefik|nginx)$`)",
                   {{"https://example.com?q=nginx&q=proxy", true}, {"https://example.com?q=NGINX", false},
                    {"https://example.com?q=haproxy", false}, {"https://example.com?rel=ddg", false}});
    expect_matches("QueryRegexp(`q`, `^.*$`)", {{"https://example.com?q=TRAEFIK", true}, {"https://example.com?Q=x", false}});
    // Raw braces, as Go reads them; encoded ones are decoded first.
    expect_matches("QueryRegexp(`q`, `{value:(traefik|nginx)}`)",
                   {{"https://example.com?q=traefik", false}, {"https://example.com?q={value:traefik}", true},
                    {"https://example.com?q=%7Bvalue:nginx%7D", true}});
    expect_matches("Query(`q`, `{}`)", {{"http://a/?q={}", true}, {"http://a/?q=%7B%7D", true}, {"http://a/?q={", false}});
    // A pair Go cannot unescape is skipped, the others still count.
    expect_matches("Query(`b`, `1`)", {{"http://a/?a=%zz&b=1", true}, {"http://a/?b=%zz&b=1", true}, {"http://a/?b=1%", false}});
    expect_matches("QueryRegexp(`b`)", {{"http://a/?b", true}, {"http://a/?b=1", false}});  // one argument: Query
    expect_matches("Query(`q`, `a b`)", {{"http://a/?q=a+b", true}, {"http://a/?q=a%20b", true}, {"http://a/?q=a%2Bb", false}});
}

// Traefik mux_test TestMuxer: operators and negation.
TEST(rule, traefik_operator_cases) {
    expect_matches("Host(`localhost`) && PathPrefix(`/css`)", {{"https://localhost/css", true}, {"https://localhost/js", false}});
    expect_matches("Host(\"example.com\") || Host(\"example.org\") && Path(\"/css\")",
                   {{"https://example.com/js", true}, {"https://example.org/css", true}, {"https://example.org/js", false}});
    expect_matches("(Host(\"example.com\") && Path(\"/js\")) || ((Host(\"example.org\")) && Path(\"/css\"))",
                   {{"https://example.com/css", false}, {"https://example.com/js", true}, {"https://example.org/css", true}});
    expect_matches("!(Host(\"example.com\") && !Path(\"/css\"))",
                   {{"https://example.com/css", true}, {"https://example.org/css", true}, {"https://example.com/js", false}});
    expect_matches("!(!(Host(\"example.com\") && Pathprefix(\"/css\")))",
                   {{"https://example.com/css", true}, {"https://example.com/js", false}, {"https://example.org/css", false}});
    expect_matches("!Host(\"example.com\") && Pathprefix(\"/css\")",
                   {{"https://example.org/css", true}, {"https://example.com/css", false}});
}

// Traefik pkg/rules parser_test and matcher_test error cases.
TEST(rule, traefik_parse_errors) {
    for (const char* text : {"", "m", "rulewithnotmatcher", "Host(example.com)", "Host()", "Host(`a`) &&", "Host(`a`) ||",
                             "Host(`1)", "Host(`1`))", "(Host(`1`)", "Host(`a`) && Host()", "Method(`GET`, `POST`)",
                             "Path(`css`)", "Query(`q`, ``)", "Query(``)", "QueryRegexp(``)", "QueryRegexp(`q`, `(x`)",
                             "Header(`X-A`)", "Header(``, `a`)", "ClientIP(`1`)", "ClientIP(`127.0.0.1`, `10.0.0.0/8`)",
                             "PathRegexp(`/(css`)", "HeaderRegexp(`X-A`, `(a`)", "HostRegexp(`a`, `b`)"}) {
        std::string error;
        EXPECT_FALSE(rule::parse(text, error)) << text;
        EXPECT_FALSE(error.empty()) << text;
    }
    expect_matches("(Host(`a`))", {{"http://a/", true}});  // superfluous parentheses
}

// Rules run on every request: apart from the regular-expression matchers (RE2 grows its own
// cache), evaluating them allocates nothing, query escapes included.
TEST(rule, evaluation_does_not_allocate) {
    std::vector<rule> rules;
    for (const char* text : {"Host(`example.com`)", "Host(`*`)", "Host(`*.example.com`)", "Path(`/a b`)",
                             "PathPrefix(`/a`)", "Method(`GET`)", "Header(`X-A`, `1`)", "Query(`q`, `a b{}`)",
                             "Query(`flag`)", "ClientIP(`10.0.0.0/8`)", "!(Host(`a`) || Pathprefix(`/x`)) && Query(`z`)"}) {
        std::string error;
        auto r = rule::parse(text, error);
        ASSERT_TRUE(r) << text << ": " << error;
        rules.push_back(std::move(*r));
    }
    sluice::runtime::fields headers;
    headers.insert("X-A", "1");
    const route_input in{"www.example.com", "/a b", "GET", "x=1&q=a+b%7B%7D&flag&z", "10.1.2.3", &headers};
    std::size_t matched = 0;
    const std::size_t before = allocations;
    for (const auto& r : rules) matched += r.matches(in) ? 1 : 0;
    EXPECT_EQ(allocations - before, 0u);
    EXPECT_EQ(matched, 10u);  // all but Host(`example.com`)
}

// Traefik reads double-quoted values with Go's strconv.Unquote; backticks are raw.
TEST(rule, double_quoted_values_are_go_string_literals) {
    expect_matches("PathRegexp(\"^/v\\\\d+/\")", {{"http://a/v12/x", true}, {"http://a/vx/", false}});
    expect_matches("PathRegexp(`^/v\\d+/`)", {{"http://a/v12/x", true}});
    expect_matches("Header(\"X-A\", \"say \\\"hi\\\"\")", {});
    expect_matches("Path(\"/caf\\u00e9\") || Path(\"/\\x41\\102\")", {{"http://a/caf%C3%A9", true}, {"http://a/AB", true}});
    expect_matches("Path(`/a\\n`)", {{"http://a/a%5Cn", true}});  // raw: a backslash and an n
    for (const char* bad : {"Path(\"/\\q\")", "Path(\"/\\x4\")", "Path(\"/\\400\")", "Path(\"/\\ud800\")", "Path(\"/a"}) {
        std::string error;
        EXPECT_FALSE(rule::parse(bad, error)) << bad;
    }
    std::string error;
    const auto quoted = rule::parse("Header(`X-A`, \"say \\\"hi\\\"\")", error);
    ASSERT_TRUE(quoted) << error;
    sluice::runtime::fields headers;
    headers.insert("X-A", "say \"hi\"");
    EXPECT_TRUE(quoted->matches({"a", "/", "GET", "", "127.0.0.1", &headers}));
}

}  // namespace

TEST(rule, nesting_is_bounded_so_a_hostile_rule_cannot_exhaust_the_stack) {
    std::string error;
    const std::string inner = "Host(`a`)";
    auto nested = [&](std::size_t depth, std::string_view open, std::string_view close) {
        std::string text;
        for (std::size_t i = 0; i < depth; ++i) text += open;
        text += inner;
        for (std::size_t i = 0; i < depth; ++i) text += close;
        return text;
    };
    EXPECT_TRUE(sluice::runtime::rule::parse(nested(50, "(", ")"), error)) << error;
    EXPECT_TRUE(sluice::runtime::rule::parse(nested(50, "!", ""), error)) << error;
    for (auto [open, close] : {std::pair{"(", ")"}, std::pair{"!", ""}, std::pair{"!(", ")"}}) {
        error.clear();
        EXPECT_FALSE(sluice::runtime::rule::parse(nested(100'000, open, close), error));
        EXPECT_NE(error.find("nested deeper than 100 levels"), std::string::npos) << error;
    }
}
