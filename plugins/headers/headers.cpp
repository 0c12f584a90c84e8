// headers: Traefik's headers middleware. Custom request and response headers (an empty value
// removes one), CORS (preflights answered here, the allowed origin on responses), security
// headers on responses (STS, frame options, CSP...) and a check of the request's host.
//
// The order is Traefik's: a preflight is answered first; then the custom request headers are
// set; then the host is checked. On the way back the security headers are set, then the
// custom response headers (which may replace or remove them), then the CORS ones.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::headers {
namespace {

using field_list = std::vector<std::pair<std::string, std::string>>;

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

bool contains(const std::vector<std::string>& items, std::string_view wanted) {
    for (const auto& item : items)
        if (item == wanted) return true;
    return false;
}

// A value that would end the field or the message is refused.
bool valid_value(std::string_view value) {
    for (const char c : value)
        if (c == '\r' || c == '\n' || c == '\0') return false;
    return true;
}

struct cors_options {
    bool allow_credentials = false;
    std::vector<std::string> allow_headers, allow_methods, allow_origins, expose_headers;
    std::vector<std::unique_ptr<RE2>> allow_origin_regexes;
    std::optional<std::int64_t> max_age;
    bool add_vary = false;

    bool defined() const {
        return allow_credentials || !allow_headers.empty() || !allow_methods.empty() || !allow_origins.empty() ||
               !allow_origin_regexes.empty() || !expose_headers.empty() || max_age || add_vary;
    }

    // The Access-Control-Allow-Origin for `origin`, empty when it is not allowed. "*" is
    // answered as such, but with credentials as the origin itself (browsers refuse "*" then).
    std::string_view allowed_origin(std::string_view origin) const {
        for (const auto& item : allow_origins) {
            if (item == origin) return item;
            if (item == "*") return allow_credentials ? origin : std::string_view(item);
        }
        for (const auto& re : allow_origin_regexes)
            if (RE2::PartialMatch(origin, *re)) return origin;
        return {};
    }
    // Exposed headers are sent unless they are "*" with credentials (which browsers refuse).
    bool sends_expose_headers() const {
        return !expose_headers.empty() && !(contains(expose_headers, "*") && allow_credentials);
    }
};

struct security_options {
    std::vector<std::string> allowed_hosts, hosts_proxy_headers;
    field_list ssl_proxy_headers;
    std::optional<std::int64_t> sts_seconds;
    bool sts_include_subdomains = false, sts_preload = false, force_sts = false;
    field_list response;  // fields set on every response, STS aside
    bool development = false;

    bool defined() const {
        return !allowed_hosts.empty() || !hosts_proxy_headers.empty() || !ssl_proxy_headers.empty() || sts_seconds ||
               sts_include_subdomains || sts_preload || force_sts || !response.empty() || development;
    }
};

class headers_middleware {
public:
    static std::unique_ptr<headers_middleware> create(sdk::host&, std::string_view, std::string_view config,
                                                      sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto mw = std::make_unique<headers_middleware>();
        mw->request_fields_ = fields(options, "customRequestHeaders");
        mw->response_fields_ = fields(options, "customResponseHeaders");
        read_cors(options, mw->cors_);
        read_security(options, mw->security_);
        refuse_removed(options);
        if (options.ok() && mw->request_fields_.empty() && mw->response_fields_.empty() && !mw->cors_.defined() &&
            !mw->security_.defined())
            options.error("", "no option given: custom headers, CORS or security headers (see docs/middlewares.md)");
        if (!options.finish()) return nullptr;
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        if (preflight(req)) {
            answer_preflight(req, reply);
            return sdk::verdict::respond;
        }
        for (const auto& [name, value] : request_fields_) {
            if (value.empty()) req.remove_header(name);
            else req.set_header(name, value);
        }
        if (!security_.allowed_hosts.empty() && !security_.development && !allowed_host(req)) {
            reply.set_status(500);
            reply.set_header("Content-Type", "text/plain; charset=utf-8");
            reply.set_body("Bad Host\n");
            return sdk::verdict::respond;
        }
        return sdk::verdict::proceed;
    }

    void on_response(const sdk::request& req, sdk::response& res) {
        if (preflight(req)) return;  // this middleware's own answer, complete as it is
        set_security_fields(req, res);
        for (const auto& [name, value] : response_fields_) {
            if (value.empty()) res.remove_header(name);
            else res.set_header(name, value);
        }
        if (!cors_.defined()) return;
        if (const auto origin = cors_.allowed_origin(req.header("Origin")); !origin.empty())
            res.set_header("Access-Control-Allow-Origin", origin);
        if (cors_.allow_credentials) res.set_header("Access-Control-Allow-Credentials", "true");
        if (cors_.sends_expose_headers()) res.set_header("Access-Control-Expose-Headers", join(cors_.expose_headers));
        if (cors_.add_vary) {
            const std::string vary(res.header("Vary"));
            if (vary != "Origin") res.set_header("Vary", vary.empty() ? "Origin" : vary + ",Origin");
        }
    }

private:
    static field_list fields(sdk::config_reader& options, std::string_view key) {
        auto entries = options.string_map(key);
        if (!entries) return {};
        for (const auto& [name, value] : *entries)
            if (!valid_value(value))
                options.error(std::string(key) + "." + name, "a header value may not hold a line break or NUL");
        return std::move(*entries);
    }

    static void read_cors(sdk::config_reader& options, cors_options& cors) {
        cors.allow_credentials = options.boolean_or("accessControlAllowCredentials", false);
        cors.allow_headers = options.string_list_or("accessControlAllowHeaders", {});
        cors.allow_methods = options.string_list_or("accessControlAllowMethods", {});
        cors.allow_origins = options.string_list_or("accessControlAllowOriginList", {});
        const auto regexes = options.string_list_or("accessControlAllowOriginListRegex", {});
        for (std::size_t i = 0; i < regexes.size(); ++i) {
            auto re = std::make_unique<RE2>(regexes[i], RE2::Quiet);
            if (!re->ok())
                options.error("accessControlAllowOriginListRegex[" + std::to_string(i) + "]",
                              "\"" + regexes[i] + "\" is not a valid regular expression: " + re->error());
            cors.allow_origin_regexes.push_back(std::move(re));
        }
        cors.expose_headers = options.string_list_or("accessControlExposeHeaders", {});
        cors.max_age = options.integer("accessControlMaxAge", {-1, 10LL * 365 * 86400});
        cors.add_vary = options.boolean_or("addVaryHeader", false);
    }

    static void read_security(sdk::config_reader& options, security_options& s) {
        s.allowed_hosts = options.string_list_or("allowedHosts", {});
        s.hosts_proxy_headers = options.string_list_or("hostsProxyHeaders", {});
        if (auto ssl = options.string_map("sslProxyHeaders")) s.ssl_proxy_headers = std::move(*ssl);
        s.sts_seconds = options.integer("stsSeconds", {0, 10LL * 365 * 86400});
        s.sts_include_subdomains = options.boolean_or("stsIncludeSubdomains", false);
        s.sts_preload = options.boolean_or("stsPreload", false);
        s.force_sts = options.boolean_or("forceSTSHeader", false);
        s.development = options.boolean_or("isDevelopment", false);
        auto set = [&](std::string_view key, const char* field, std::string value) {
            if (value.empty()) return;
            if (!valid_value(value)) options.error(key, "a header value may not hold a line break or NUL");
            s.response.emplace_back(field, std::move(value));
        };
        // Every key is read, whichever wins, so that none is reported unknown.
        const std::string frame = options.string_or("customFrameOptionsValue", "");
        const bool frame_deny = options.boolean_or("frameDeny", false);
        const bool nosniff = options.boolean_or("contentTypeNosniff", false);
        const std::string xss = options.string_or("customBrowserXSSValue", "");
        const bool xss_filter = options.boolean_or("browserXssFilter", false);
        set("customFrameOptionsValue", "X-Frame-Options", !frame.empty() ? frame : frame_deny ? "DENY" : "");
        set("contentTypeNosniff", "X-Content-Type-Options", nosniff ? "nosniff" : "");
        set("customBrowserXSSValue", "X-XSS-Protection", !xss.empty() ? xss : xss_filter ? "1; mode=block" : "");
        set("contentSecurityPolicy", "Content-Security-Policy", options.string_or("contentSecurityPolicy", ""));
        set("contentSecurityPolicyReportOnly", "Content-Security-Policy-Report-Only",
            options.string_or("contentSecurityPolicyReportOnly", ""));
        set("publicKey", "Public-Key-Pins", options.string_or("publicKey", ""));
        set("referrerPolicy", "Referrer-Policy", options.string_or("referrerPolicy", ""));
        set("permissionsPolicy", "Permissions-Policy", options.string_or("permissionsPolicy", ""));
    }

    // Traefik v2's keys that v3 removed: refused, with what to write instead, rather than
    // quietly doing nothing (a redirect to HTTPS that silently stopped would be a hole).
    static void refuse_removed(sdk::config_reader& options) {
        static constexpr std::pair<const char*, const char*> removed[] = {
            {"sslRedirect", "use a redirectScheme middleware (scheme = \"https\", permanent = true)"},
            {"sslTemporaryRedirect", "use a redirectScheme middleware (scheme = \"https\")"},
            {"sslHost", "use a redirectRegex middleware"},
            {"sslForceHost", "use a redirectRegex middleware"},
            {"featurePolicy", "use permissionsPolicy"},
        };
        for (const auto& [key, instead] : removed)
            if (options.has(key))
                options.error(key, std::string("removed in Traefik v3 and not supported: ") + instead);
    }

    // An OPTIONS request with Origin and Access-Control-Request-Method, on a middleware with CORS.
    bool preflight(const sdk::request& req) const {
        return cors_.defined() && req.method() == "OPTIONS" && !req.header("Origin").empty() &&
               !req.header("Access-Control-Request-Method").empty();
    }

    void answer_preflight(const sdk::request& req, sdk::local_reply& reply) const {
        reply.set_status(200);
        if (cors_.allow_credentials) reply.set_header("Access-Control-Allow-Credentials", "true");
        // "*" with credentials: browsers take no wildcard then, so the request's own list.
        if (contains(cors_.allow_headers, "*") && cors_.allow_credentials) {
            if (const auto asked = req.header("Access-Control-Request-Headers"); !asked.empty())
                reply.set_header("Access-Control-Allow-Headers", asked);
        } else if (!cors_.allow_headers.empty()) {
            reply.set_header("Access-Control-Allow-Headers", join(cors_.allow_headers));
        }
        if (contains(cors_.allow_methods, "*") && cors_.allow_credentials)
            reply.set_header("Access-Control-Allow-Methods", req.header("Access-Control-Request-Method"));
        else if (!cors_.allow_methods.empty())
            reply.set_header("Access-Control-Allow-Methods", join(cors_.allow_methods));
        if (const auto origin = cors_.allowed_origin(req.header("Origin")); !origin.empty())
            reply.set_header("Access-Control-Allow-Origin", origin);
        if (cors_.max_age) reply.set_header("Access-Control-Max-Age", std::to_string(*cors_.max_age));
        if (cors_.sends_expose_headers()) reply.set_header("Access-Control-Expose-Headers", join(cors_.expose_headers));
    }

    // The request's host (the first of hostsProxyHeaders present, else Host, port included)
    // is one of allowedHosts, in any case.
    bool allowed_host(const sdk::request& req) const {
        std::string_view host = req.header("Host");
        for (const auto& name : security_.hosts_proxy_headers)
            if (const auto value = req.header(name); !value.empty()) {
                host = value;
                break;
            }
        for (const auto& allowed : security_.allowed_hosts)
            if (sdk::iequals(allowed, host)) return true;
        return false;
    }

    void set_security_fields(const sdk::request& req, sdk::response& res) const {
        if (security_.sts_seconds && *security_.sts_seconds != 0 && !security_.development &&
            (security_.force_sts || secure_request(req))) {
            std::string sts = "max-age=" + std::to_string(*security_.sts_seconds);
            if (security_.sts_include_subdomains) sts += "; includeSubDomains";
            if (security_.sts_preload) sts += "; preload";
            res.set_header("Strict-Transport-Security", sts);
        }
        for (const auto& [name, value] : security_.response) res.set_header(name, value);
    }

    // Whether the client came over HTTPS: as a field of sslProxyHeaders says (a trusted proxy
    // in front terminated TLS). Every entry point is plain HTTP until TLS termination exists.
    bool secure_request(const sdk::request& req) const {
        for (const auto& [name, value] : security_.ssl_proxy_headers)
            if (req.header(name) == value) return true;
        return false;
    }

    field_list request_fields_, response_fields_;
    cors_options cors_;
    security_options security_;
};

}  // namespace
}  // namespace sluice::headers

SLUICE_DECLARE_MIDDLEWARE(sluice::headers::headers_middleware, "headers", "1.0.0",
                          "Sets and removes request and response headers: custom ones, CORS, security headers",
                          "customResponseHeaders = { X-Frame-Options = \"DENY\" }\n"
                          "accessControlAllowOriginList = [\"https://app.example.com\"]\n"
                          "stsSeconds = 31536000\n")
