// Traefik's sticky cookies: the name, the value that stands for a server (or a service) and
// the attributes of the Set-Cookie that pins a client, for the sticky balancer and for the
// host's weighted services alike. Uses OpenSSL's digests: link OpenSSL::Crypto.
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::sdk {

// The first `chars` hex digits of the `md` digest of `data`.
inline std::string hex_digest(const EVP_MD* md, std::string_view data, std::size_t chars) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size && out.size() < chars; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 0xf];
    }
    out.resize(std::min(out.size(), chars));
    return out;
}

// The cookie value that pins a client to `name` (a server's URL, a service's name): opaque
// and stable, the first 16 hex digits of its SHA-256, as Traefik writes it.
inline std::string sticky_cookie_value(std::string_view name) { return hex_digest(EVP_sha256(), name, 16); }

// Traefik's cookie name when none is configured: "_" and the first 5 hex digits of the SHA-1
// of "_TRAEFIK_BACKEND_" and the service's name.
inline std::string default_sticky_cookie_name(std::string_view service) {
    return "_" + hex_digest(EVP_sha1(), "_TRAEFIK_BACKEND_" + std::string(service), 5);
}

// The attributes of a sticky cookie, Traefik's keys and defaults.
struct cookie_attributes {
    std::string path = "/";
    std::string domain;
    bool secure = false;
    bool http_only = false;
    std::string same_site;     // none, lax or strict in any case; anything else is left out
    std::int64_t max_age = 0;  // 0: a session cookie; below 0: expire it now

    // "; Path=/; Domain=...; Max-Age=...; HttpOnly; Secure; SameSite=...": what follows
    // name=value in the Set-Cookie field.
    std::string suffix() const {
        std::string a = "; Path=" + path;
        if (!domain.empty()) a += "; Domain=" + domain;
        if (max_age > 0) a += "; Max-Age=" + std::to_string(max_age);
        else if (max_age < 0) a += "; Max-Age=0";
        if (http_only) a += "; HttpOnly";
        if (secure) a += "; Secure";
        std::string site = same_site;
        std::transform(site.begin(), site.end(), site.begin(), [](unsigned char c) { return static_cast<char>(c | 0x20); });
        // Only the three values browsers know.
        if (site == "none") a += "; SameSite=None";
        else if (site == "lax") a += "; SameSite=Lax";
        else if (site == "strict") a += "; SameSite=Strict";
        return a;
    }
};

}  // namespace sluice::sdk
