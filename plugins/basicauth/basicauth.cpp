// basicauth: lets on only requests with the user name and password of one of its users
// (HTTP Basic, RFC 7617), as Traefik's basicAuth: htpasswd lines in `users` or a `usersFile`
// read again when it changes; 401 with WWW-Authenticate otherwise.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "auth_options.hpp"
#include "credential_store.hpp"
#include "htpasswd.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::basicauth {
namespace {

// "name:hash"; the name may not be empty, the hash must be one htpasswd writes.
std::optional<auth::credential> parse_user(std::string_view line, std::string& why) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        why = "expected \"name:hash\" (as htpasswd writes it)";
        return std::nullopt;
    }
    const std::string_view hash = line.substr(colon + 1);
    if (!htpasswd::known_hash(hash, why)) {
        why = "user \"" + std::string(line.substr(0, colon)) + "\": " + why;
        return std::nullopt;
    }
    return auth::credential{std::string(line.substr(0, colon)), std::string(hash)};
}

// The user name and password of an "Authorization: Basic <base64>" field, as Go reads it.
std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view field) {
    constexpr std::string_view scheme = "Basic ";
    if (field.size() <= scheme.size() || !sdk::iequals(field.substr(0, scheme.size()), scheme)) return std::nullopt;
    const std::string_view token = field.substr(scheme.size());
    if (token.size() % 4 != 0 || token.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
    std::string decoded(token.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                  reinterpret_cast<const unsigned char*>(token.data()), static_cast<int>(token.size()));
    if (n < 0) return std::nullopt;
    std::size_t padding = 0;
    for (auto it = token.rbegin(); it != token.rend() && *it == '=' && padding < 2; ++it) ++padding;
    decoded.resize(static_cast<std::size_t>(n) - padding);
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return std::nullopt;
    return std::pair{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

// Credentials that verified lately, as HMACs under a key of this process's: a client sends
// its password with every request, and bcrypt takes tens of milliseconds of a worker each
// time. Bounded; any thread.
class verified_cache {
public:
    verified_cache() { RAND_bytes(key_.data(), static_cast<int>(key_.size())); }

    std::string tag(std::string_view user, std::string_view password, std::string_view hash) const {
        std::string message;
        message.append(user).push_back('\0');
        message.append(password).push_back('\0');
        message.append(hash);
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &size);
        return std::string(reinterpret_cast<const char*>(out), size);
    }
    bool contains(const std::string& tag) const {
        std::lock_guard lock(mutex_);
        return tags_.count(tag) > 0;
    }
    void add(std::string tag) {
        std::lock_guard lock(mutex_);
        if (tags_.size() >= 4096) tags_.clear();
        tags_.insert(std::move(tag));
    }

private:
    std::array<unsigned char, 32> key_{};
    mutable std::mutex mutex_;
    std::unordered_set<std::string> tags_;
};

class basic_auth {
public:
    static std::unique_ptr<basic_auth> create(sdk::host& host, std::string_view, std::string_view config,
                                              sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto mw = std::make_unique<basic_auth>();
        mw->options_ = auth::auth_options::read(options, "\"\\\r\n", "a quote, a backslash or a line break");
        mw->users_ = auth::credential_store::create(options, parse_user, htpasswd::cost, host, "name:hash");
        if (!options.finish() || !mw->users_) return nullptr;
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        const auto credentials = basic_credentials(req.header("Authorization"));
        if (!credentials || !authenticated(credentials->first, credentials->second))
            return auth::unauthorized(reply, "Basic realm=\"" + options_.realm + "\"");
        options_.pass(req, credentials->first);
        return sdk::verdict::proceed;
    }

private:
    bool authenticated(const std::string& user, const std::string& password) {
        const auto users = users_->current();
        if (users->by_key.empty()) return false;  // its file emptied or gone, and no list
        const auto it = users->by_key.find(user);
        const bool known = it != users->by_key.end();
        // An unknown user costs a verification against the costliest hash, so that time does
        // not tell names apart.
        const std::string& hash = known ? it->second : users->stand_in;
        const std::string tag = verified_.tag(user, password, hash);
        if (known && verified_.contains(tag)) return true;
        const bool ok = htpasswd::verify(password, hash) && known;
        if (ok) verified_.add(tag);
        return ok;
    }

    auth::auth_options options_;
    std::unique_ptr<auth::credential_store> users_;
    verified_cache verified_;
};

}  // namespace
}  // namespace sluice::basicauth

SLUICE_DECLARE_MIDDLEWARE(sluice::basicauth::basic_auth, "basicauth", "1.0.0",
                          "Lets on only requests with a user's name and password (HTTP Basic); 401 otherwise",
                          "users = [\"admin:$2y$05$...\"]\nrealm = \"admin\"\nremoveHeader = true\n")
