// htpasswd hashes, as Traefik's basicAuth accepts them (through go-http-auth): bcrypt
// ($2y$, $2b$, $2a$, $2x$), SHA-1 ({SHA}), Apache's MD5 ($apr1$), and what else the system's
// crypt(3) knows ($1$, $5$, $6$, yescrypt). Digests come from OpenSSL and crypt(3) from
// libcrypt; apr1 is md5crypt's construction over OpenSSL's MD5 with Apache's magic string.
#pragma once

#include <string>
#include <string_view>

namespace sluice::htpasswd {

// Whether `hash` is one verify() can check; `why` says why not.
bool known_hash(std::string_view hash, std::string& why);

// How long verify() takes for `hash`, as a rank: bcrypt by its cost above crypt(3)'s SHA and
// yescrypt schemes, above the MD5 ones, above SHA-1.
int cost(std::string_view hash);

// Whether `password` hashes to `hash`. Compares in constant time; bcrypt and the crypt(3)
// schemes take the time their cost says (bcrypt at cost 10: tens of milliseconds).
bool verify(std::string_view password, std::string_view hash);

// md5crypt with `magic` ("$1$" or "$apr1$") and `salt` (up to 8 characters):
// "<magic><salt>$<22 characters>".
std::string md5_crypt(std::string_view password, std::string_view salt, std::string_view magic);

}  // namespace sluice::htpasswd
