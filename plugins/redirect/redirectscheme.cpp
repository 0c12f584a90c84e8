// redirectscheme: sends a client to the same URL with another scheme and port (Traefik's
// redirectScheme), typically http -> https.
#include <memory>
#include <string>
#include <string_view>

#include "redirect.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::redirectscheme {
namespace {

bool default_port(std::string_view scheme, std::string_view port) {
    return (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
}

class redirect_scheme {
public:
    static std::unique_ptr<redirect_scheme> create(sdk::host&, std::string_view, std::string_view config,
                                                   sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        const auto scheme = options.required_string("scheme", "the scheme to redirect to, such as \"https\"");
        if (scheme && scheme->empty()) options.error("scheme", "the scheme may not be empty");
        // A port is a string in Traefik ("8443"); a TOML integer is read too.
        std::string port;
        if (const auto number = options.integer("port", {1, 65535})) port = std::to_string(*number);
        const bool permanent = options.boolean_or("permanent", false);
        if (!options.finish()) return nullptr;
        auto mw = std::make_unique<redirect_scheme>();
        mw->scheme_ = *scheme;
        // The target's port, left out when it is the scheme's own.
        if (!port.empty() && !default_port(*scheme, port)) mw->port_ = ":" + port;
        mw->permanent_ = permanent;
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        const auto [host, port] = redirect::split_host(req.header("Host"));
        const std::string_view uri = req.target();
        // The scheme the client used: what a trusted proxy in front says, else the
        // connection's (the host sets X-Forwarded-Proto to it for other peers). ws and wss
        // are an upgrade's spelling of http and https.
        std::string_view scheme = redirect::connection_scheme(req);
        const std::string_view proto = req.header("X-Forwarded-Proto");
        if (sdk::iequals(proto, "http") || sdk::iequals(proto, "ws")) scheme = "http";
        else if (sdk::iequals(proto, "https") || sdk::iequals(proto, "wss")) scheme = "https";
        const std::string_view old_port = default_port(scheme, port.substr(port.empty() ? 0 : 1)) ? "" : port;

        std::string asked, target;
        asked.append(scheme).append("://").append(host).append(old_port).append(uri);
        target.append(scheme_).append("://").append(host).append(port_).append(uri);
        if (asked == target) return sdk::verdict::proceed;  // already there
        return redirect::answer(reply, req.method(), target, permanent_);
    }

private:
    std::string scheme_;
    std::string port_;  // ":8443", empty for the scheme's own
    bool permanent_ = false;
};

}  // namespace
}  // namespace sluice::redirectscheme

SLUICE_DECLARE_MIDDLEWARE(sluice::redirectscheme::redirect_scheme, "redirectscheme", "1.0.0",
                          "Redirects to the same URL with another scheme and port (http to https)",
                          "scheme = \"https\"\nport = \"8443\"\npermanent = true\n")
