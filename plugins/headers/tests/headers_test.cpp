// Traefik's header_test and secure-header cases (CORS preflights and responses, custom
// request and response headers), and Sluice's own (security headers, allowed hosts, removed
// v2 keys, configuration errors).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sluice/sdk/testing/fakes.hpp"

namespace {

namespace testing = sluice::sdk::testing;
using sluice::sdk::verdict;
using fields = std::map<std::string, std::string>;

struct exchange {
    verdict v = verdict::failed;
    std::uint16_t status = 0;  // of the local reply, or the response's
    fields request;            // as forwarded
    fields response;           // as the client gets it
};

fields as_map(const testing::fake_fields& f) {
    fields out;
    for (const auto& [k, v] : f.fields) out[k] = v;
    return out;
}

// One request through the middleware; the backend answers 200 with `backend` fields.
exchange run(std::string_view config, const std::string& method, const fields& request, const fields& backend = {}) {
    testing::fake_host host;
    testing::collecting_errors errors;
    auto mw = SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "h@file", config, errors);
    EXPECT_TRUE(mw) << config << ": " << (errors.errors.empty() ? "" : errors.errors[0].first + " " + errors.errors[0].second);
    exchange out;
    if (!mw) return out;
    testing::fake_request req;
    req.method_ = method;
    for (const auto& [k, v] : request) req.headers.add(k, v);
    testing::fake_local_reply reply;
    out.v = mw.on_request(req, reply);
    out.request = as_map(req.headers);
    testing::fake_response res;
    if (out.v == verdict::respond) {
        res.status_ = reply.status_;
        res.headers = reply.headers;
    } else {
        for (const auto& [k, v] : backend) res.headers.add(k, v);
    }
    mw.on_response(req, res);  // the host shows the answering middleware its own answer too
    out.status = res.status_;
    out.response = as_map(res.headers);
    return out;
}

std::string refusal(std::string_view config) {
    return testing::middleware_refusal(SLUICE_TESTING_LINKED_PLUGIN(), config);
}

const fields preflight_request{{"Access-Control-Request-Headers", "origin"},
                               {"Access-Control-Request-Method", "GET"},
                               {"Origin", "https://foo.bar.org"}};

TEST(headers, cors_preflights_are_answered_here) {
    struct {
        const char* config;
        fields request;
        fields want;
    } cases[] = {
        {"accessControlAllowMethods = ['GET', 'OPTIONS', 'PUT']\naccessControlAllowOriginList = ['https://foo.bar.org']\n"
         "accessControlMaxAge = 600",
         preflight_request,
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"},
          {"Access-Control-Max-Age", "600"},
          {"Access-Control-Allow-Methods", "GET,OPTIONS,PUT"}}},
        {"accessControlAllowMethods = ['GET', 'OPTIONS', 'PUT']\naccessControlAllowOriginList = ['*']\n"
         "accessControlMaxAge = 600",
         preflight_request,
         {{"Access-Control-Allow-Origin", "*"},
          {"Access-Control-Max-Age", "600"},
          {"Access-Control-Allow-Methods", "GET,OPTIONS,PUT"}}},
        {"accessControlAllowMethods = ['GET', 'OPTIONS', 'PUT']\naccessControlAllowOriginList = ['*']\n"
         "accessControlAllowCredentials = true\naccessControlMaxAge = 600",
         preflight_request,
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"},
          {"Access-Control-Max-Age", "600"},
          {"Access-Control-Allow-Methods", "GET,OPTIONS,PUT"},
          {"Access-Control-Allow-Credentials", "true"}}},
        {"accessControlAllowMethods = ['GET', 'OPTIONS', 'PUT']\naccessControlAllowOriginList = ['*']\n"
         "accessControlAllowHeaders = ['origin', 'X-Forwarded-For']\naccessControlMaxAge = 600",
         preflight_request,
         {{"Access-Control-Allow-Origin", "*"},
          {"Access-Control-Max-Age", "600"},
          {"Access-Control-Allow-Methods", "GET,OPTIONS,PUT"},
          {"Access-Control-Allow-Headers", "origin,X-Forwarded-For"}}},
        {"accessControlAllowMethods = ['GET', 'OPTIONS', 'PUT']\naccessControlAllowOriginList = ['*']",
         {{"Access-Control-Request-Method", "GET"}, {"Origin", "https://foo.bar.org"}},
         {{"Access-Control-Allow-Origin", "*"}, {"Access-Control-Allow-Methods", "GET,OPTIONS,PUT"}}},
        // Sluice's own: "*" with credentials answers with what the request asked for.
        {"accessControlAllowMethods = ['*']\naccessControlAllowHeaders = ['*']\naccessControlAllowCredentials = true\n"
         "accessControlAllowOriginList = ['https://foo.bar.org']\naccessControlExposeHeaders = ['X-Total']\n"
         "customResponseHeaders = { X-Backend = 'not on a preflight' }",
         {{"Access-Control-Request-Method", "DELETE"},
          {"Access-Control-Request-Headers", "x-token"},
          {"Origin", "https://foo.bar.org"}},
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"},
          {"Access-Control-Allow-Methods", "DELETE"},
          {"Access-Control-Allow-Headers", "x-token"},
          {"Access-Control-Allow-Credentials", "true"},
          {"Access-Control-Expose-Headers", "X-Total"}}},
    };
    for (const auto& c : cases) {
        const auto got = run(c.config, "OPTIONS", c.request);
        EXPECT_EQ(got.v, verdict::respond) << c.config;
        EXPECT_EQ(got.status, 200) << c.config;
        EXPECT_EQ(got.response, c.want) << c.config;
    }
    // Not a preflight: no Access-Control-Request-Method, or not OPTIONS, or no CORS configured.
    EXPECT_EQ(run("accessControlAllowOriginList = ['*']", "OPTIONS", {{"Origin", "https://a"}}).v, verdict::proceed);
    EXPECT_EQ(run("accessControlAllowOriginList = ['*']", "GET", preflight_request).v, verdict::proceed);
    EXPECT_EQ(run("customRequestHeaders = { X-A = '1' }", "OPTIONS", preflight_request).v, verdict::proceed);
}

TEST(headers, cors_responses) {
    struct {
        const char* config;
        fields request;
        fields backend;
        fields want;
    } cases[] = {
        {"accessControlAllowOriginList = ['https://foo.bar.org']", {{"Origin", "https://foo.bar.org"}}, {},
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"}}},
        {"accessControlAllowOriginList = ['*']", {{"Origin", "https://foo.bar.org"}}, {},
         {{"Access-Control-Allow-Origin", "*"}}},
        {R"(accessControlAllowOriginListRegex = ['^https?://([a-z]+)\.bar\.org$'])", {{"Origin", "https://foo.bar.org"}},
         {}, {{"Access-Control-Allow-Origin", "https://foo.bar.org"}}},
        {R"(accessControlAllowOriginListRegex = ['([a-z]+)\.bar'])", {{"Origin", "https://foo.bar.org"}}, {},
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"}}},
        {R"(accessControlAllowOriginListRegex = ['([a-z]+)\.bar\.org'])", {{"Origin", "https://bar.org"}}, {}, {}},
        {"accessControlAllowOriginList = ['https://foo.bar.org']", {}, {}, {}},
        {"accessControlAllowOriginList = ['*']\naccessControlAllowCredentials = true",
         {{"Origin", "https://foo.bar.org"}},
         {},
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"}, {"Access-Control-Allow-Credentials", "true"}}},
        {"accessControlAllowOriginList = ['*']\naccessControlExposeHeaders = ['origin', 'X-Forwarded-For']",
         {{"Origin", "https://foo.bar.org"}},
         {},
         {{"Access-Control-Allow-Origin", "*"}, {"Access-Control-Expose-Headers", "origin,X-Forwarded-For"}}},
        {"accessControlAllowOriginList = ['https://foo.bar.org']\naddVaryHeader = true",
         {{"Origin", "https://foo.bar.org"}},
         {},
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"}, {"Vary", "Origin"}}},
        {"accessControlAllowOriginList = ['https://foo.bar.org']\naddVaryHeader = true",
         {{"Origin", "https://foo.bar.org"}},
         {{"Vary", "Testing"}},
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"}, {"Vary", "Testing,Origin"}}},
        {"accessControlAllowOriginList = ['https://foo.bar.org']\naddVaryHeader = true",
         {{"Origin", "https://foo.bar.org"}},
         {{"Vary", "Origin"}},
         {{"Access-Control-Allow-Origin", "https://foo.bar.org"}, {"Vary", "Origin"}}},
        {"accessControlAllowOriginList = ['*']", {{"Origin", "https://foo.bar.org"}},
         {{"Access-Control-Allow-Origin", "http://foo.bar.org"}}, {{"Access-Control-Allow-Origin", "*"}}},
        // "*" exposed with credentials is not sent (browsers refuse it).
        {"accessControlAllowOriginList = ['*']\naccessControlAllowCredentials = true\naccessControlExposeHeaders = ['*']",
         {{"Origin", "https://a"}},
         {},
         {{"Access-Control-Allow-Origin", "https://a"}, {"Access-Control-Allow-Credentials", "true"}}},
    };
    for (const auto& c : cases) {
        const auto got = run(c.config, "GET", c.request, c.backend);
        EXPECT_EQ(got.v, verdict::proceed) << c.config;
        EXPECT_EQ(got.response, c.want) << c.config;
    }
}

TEST(headers, custom_request_and_response_headers) {
    const auto got = run(
        "customRequestHeaders = { X-Custom-Request-Header = 'test_request', X-Remove = '', X-Override = 'new' }\n"
        "customResponseHeaders = { X-Custom-Response-Header = 'test_response', Server = '', X-Powered-By = 'sluice' }",
        "GET", {{"X-Remove", "gone"}, {"X-Override", "old"}, {"X-Kept", "1"}},
        {{"Server", "backend"}, {"X-Powered-By", "php"}, {"Content-Type", "text/plain"}});
    EXPECT_EQ(got.v, verdict::proceed);
    EXPECT_EQ(got.request, (fields{{"X-Custom-Request-Header", "test_request"}, {"X-Override", "new"}, {"X-Kept", "1"}}));
    EXPECT_EQ(got.response, (fields{{"X-Custom-Response-Header", "test_response"},
                                    {"X-Powered-By", "sluice"},
                                    {"Content-Type", "text/plain"}}));
}

TEST(headers, security_headers) {
    const char* all =
        "frameDeny = true\ncontentTypeNosniff = true\nbrowserXssFilter = true\nreferrerPolicy = 'same-origin'\n"
        "contentSecurityPolicy = \"default-src 'self'\"\npermissionsPolicy = 'camera=()'\n"
        "contentSecurityPolicyReportOnly = \"script-src 'none'\"\n"
        "stsSeconds = 31536000\nstsIncludeSubdomains = true\nstsPreload = true\n"
        "sslProxyHeaders = { X-Forwarded-Proto = 'https' }\n";
    const fields security{{"X-Frame-Options", "DENY"},
                          {"X-Content-Type-Options", "nosniff"},
                          {"X-XSS-Protection", "1; mode=block"},
                          {"Referrer-Policy", "same-origin"},
                          {"Content-Security-Policy", "default-src 'self'"},
                          {"Content-Security-Policy-Report-Only", "script-src 'none'"},
                          {"Permissions-Policy", "camera=()"}};
    // Over plain HTTP no STS (browsers ignore it there); a trusted proxy saying https: STS.
    EXPECT_EQ(run(all, "GET", {}, {{"X-Frame-Options", "SAMEORIGIN"}}).response, security);
    fields with_sts = security;
    with_sts["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains; preload";
    EXPECT_EQ(run(all, "GET", {{"X-Forwarded-Proto", "https"}}).response, with_sts);
    // forceSTSHeader sends it anyway; customFrameOptionsValue wins over frameDeny; a custom
    // response header may replace or remove a security one.
    EXPECT_EQ(run("stsSeconds = 60\nforceSTSHeader = true", "GET", {}).response,
              (fields{{"Strict-Transport-Security", "max-age=60"}}));
    EXPECT_EQ(run("frameDeny = true\ncustomFrameOptionsValue = 'SAMEORIGIN'", "GET", {}).response,
              (fields{{"X-Frame-Options", "SAMEORIGIN"}}));
    EXPECT_EQ(run("frameDeny = true\ncontentTypeNosniff = true\ncustomResponseHeaders = { X-Frame-Options = '' }",
                  "GET", {})
                  .response,
              (fields{{"X-Content-Type-Options", "nosniff"}}));
    // isDevelopment: no STS even when forced.
    EXPECT_EQ(run("stsSeconds = 60\nforceSTSHeader = true\nisDevelopment = true", "GET", {}).response, fields{});
}

TEST(headers, allowed_hosts) {
    const char* config = "allowedHosts = ['example.com', 'example.com:8080']\nhostsProxyHeaders = ['X-Forwarded-Host']";
    EXPECT_EQ(run(config, "GET", {{"Host", "Example.com"}}).v, verdict::proceed);
    EXPECT_EQ(run(config, "GET", {{"Host", "example.com:8080"}}).v, verdict::proceed);
    const auto bad = run(config, "GET", {{"Host", "evil.com"}});
    EXPECT_EQ(bad.v, verdict::respond);
    EXPECT_EQ(bad.status, 500);
    // The first proxy header present names the host.
    EXPECT_EQ(run(config, "GET", {{"Host", "internal:80"}, {"X-Forwarded-Host", "example.com"}}).v, verdict::proceed);
    EXPECT_EQ(run(config, "GET", {{"Host", "example.com"}, {"X-Forwarded-Host", "evil.com"}}).v, verdict::respond);
    EXPECT_EQ(run("allowedHosts = ['example.com']\nisDevelopment = true", "GET", {{"Host", "evil.com"}}).v,
              verdict::proceed);
}

TEST(headers, configuration_errors_name_the_key) {
    struct {
        const char* config;
        const char* wanted;  // in the first error
    } cases[] = {
        {"", "no option given"},
        {"sslRedirect = true", "sslRedirect: removed in Traefik v3 and not supported: use a redirectScheme middleware"},
        {"frameDeny = true\nfeaturePolicy = 'x'", "featurePolicy: removed in Traefik v3 and not supported: use permissionsPolicy"},
        {"accessControlAllowOriginListRegex = ['a(b']", "accessControlAllowOriginListRegex[0]: \"a(b\" is not a valid regular expression"},
        {"customRequestHeaders = { X-A = 1 }", "customRequestHeaders.X-A: expected a string"},
        {"customResponseHeaders = { X-A = \"a\\r\\nSet-Cookie: x=1\" }", "customResponseHeaders.X-A: a header value may not hold a line break"},
        {"stsSeconds = -1", "stsSeconds"},
        {"frameDeny = true\nframeDenny = true", "frameDenny: unknown key (did you mean \"frameDeny\"?)"},
    };
    for (const auto& c : cases) {
        const std::string why = refusal(c.config);
        EXPECT_NE(why.find(c.wanted), std::string::npos) << c.config << "\n -> " << why;
    }
}

}  // namespace
