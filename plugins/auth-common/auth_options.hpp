// The options and answers basicAuth and digestAuth share, as Traefik's auth middlewares have
// them: the realm, the user's name passed upstream, the Authorization field removed, and the
// 401 that asks for credentials.
#pragma once

#include <openssl/crypto.h>

#include <string>
#include <string_view>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/http.hpp"
#include "sluice/sdk/middleware.hpp"

namespace sluice::auth {

struct auth_options {
    std::string realm;         // "sluice" unless given
    std::string header_field;  // the authenticated user's name upstream, none when empty
    bool remove_header = false;

    // Reads realm, headerField and removeHeader. The realm goes into a quoted parameter:
    // `forbidden` (at least '"', '\\' and line breaks) are refused in it.
    static auth_options read(sdk::config_reader& options, std::string_view forbidden, std::string_view said) {
        auth_options out;
        out.realm = options.string_or("realm", "sluice");
        if (out.realm.find_first_of(forbidden) != std::string::npos)
            options.error("realm", "a realm may not hold " + std::string(said));
        out.header_field = options.string_or("headerField", "");
        out.remove_header = options.boolean_or("removeHeader", false);
        return out;
    }

    // What an authenticated request carries on: the user's name in headerField (whatever the
    // client sent there goes), Authorization removed when asked.
    void pass(sdk::request& req, const std::string& user) const {
        if (!header_field.empty()) req.set_header(header_field, user);
        if (remove_header) req.remove_header("Authorization");
    }
};

// 401 with the challenge that asks for credentials.
inline sdk::verdict unauthorized(sdk::local_reply& reply, const std::string& challenge) {
    reply.set_status(401);
    reply.set_header("WWW-Authenticate", challenge);
    reply.set_header("Content-Type", "text/plain; charset=utf-8");
    reply.set_body("401 Unauthorized\n");
    return sdk::verdict::respond;
}

// Equal, compared in time that depends on the lengths only.
inline bool same_secret(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sluice::auth
