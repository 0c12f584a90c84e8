// Traefik's digest_auth_test cases (htdigest users from the configuration and a file, the
// realm choosing among them), the RFC 7616 exchange with nonce counts, stale nonces,
// headerField and removeHeader, and configuration errors.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <map>
#include <string>

#include "sluice/sdk/testing/fakes.hpp"

namespace {

namespace testing = sluice::sdk::testing;
using sluice::sdk::verdict;

std::string md5_hex(const std::string& text) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(text.data(), text.size(), d, &n, EVP_md5(), nullptr);
    std::string out;
    char buf[3];
    for (unsigned i = 0; i < n; ++i) std::snprintf(buf, sizeof buf, "%02x", d[i]), out += buf;
    return out;
}

// Traefik's vectors: htdigest lines for test/test and test2/test2 in realm "traefik".
const char* test_user = "test:traefik:a2688e031edb4be6a3797f3882655c05";
const char* test2_user = "test2:traefik:518845800f9e2bfb1f1f740ec24f074e";

// The value of `key` in a challenge: Digest realm="r", nonce="n", ...
std::string param(const std::string& challenge, const std::string& key) {
    const auto at = challenge.find(key + "=\"");
    if (at == std::string::npos) return "";
    const auto start = at + key.size() + 2;
    return challenge.substr(start, challenge.find('"', start) - start);
}

struct client {
    testing::fake_host host;
    testing::collecting_errors errors;
    testing::middleware_object mw;
    std::string nonce, opaque, realm;
    unsigned nc = 0;

    explicit client(std::string_view config)
        : mw(SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "digest@file", config, errors)) {
        EXPECT_TRUE(mw) << config << ": " << (errors.errors.empty() ? "" : errors.errors[0].first + " " + errors.errors[0].second);
    }

    struct outcome {
        verdict v;
        std::uint16_t status;
        std::string challenge, auth_info;
        testing::fake_fields forwarded;
    };
    outcome send(const std::string& authorization, const std::string& target = "/admin?x=1") {
        testing::fake_request req;
        req.target_ = target;
        if (!authorization.empty()) req.headers.add("Authorization", authorization);
        testing::fake_local_reply reply;
        outcome out{mw.on_request(req, reply), reply.status_, std::string(reply.headers.get("WWW-Authenticate")), "", {}};
        if (out.v == verdict::proceed) {
            testing::fake_response res;
            mw.on_response(req, res);
            out.auth_info = std::string(res.headers.get("Authentication-Info"));
        } else {
            nonce = param(out.challenge, "nonce");
            opaque = param(out.challenge, "opaque");
            realm = param(out.challenge, "realm");
        }
        out.forwarded = req.headers;
        return out;
    }
    // The Authorization a client computes for the last challenge, with the next count.
    std::string answer(const std::string& user, const std::string& password, const std::string& uri = "/admin?x=1",
                       const std::string& method = "GET") {
        char count[9];
        std::snprintf(count, sizeof count, "%08x", ++nc);
        const std::string ha1 = md5_hex(user + ":" + realm + ":" + password);
        const std::string ha2 = md5_hex(method + ":" + uri);
        const std::string response = md5_hex(ha1 + ":" + nonce + ":" + count + ":0a4f113b:auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri +
               "\", qop=auth, nc=" + count + ", cnonce=\"0a4f113b\", response=\"" + response + "\", opaque=\"" +
               opaque + "\"";
    }
};

std::string users(std::initializer_list<const char*> lines) {
    std::string out = "realm = 'traefik'\nusers = [";
    for (const char* l : lines) out += std::string("'") + l + "',";
    return out + "]\n";
}

TEST(digestauth, challenge_then_the_proof_then_counts_that_grow) {
    client c(users({test_user, test2_user}));
    const auto first = c.send("");
    EXPECT_EQ(first.status, 401);
    EXPECT_NE(first.challenge.find("Digest realm=\"traefik\""), std::string::npos) << first.challenge;
    EXPECT_NE(first.challenge.find("algorithm=MD5, qop=\"auth\""), std::string::npos);
    EXPECT_EQ(first.challenge.find("stale"), std::string::npos);

    const auto ok = c.send(c.answer("test", "test"));
    EXPECT_EQ(ok.v, verdict::proceed);
    EXPECT_NE(ok.auth_info.find("rspauth=\""), std::string::npos);
    EXPECT_EQ(c.send(c.answer("test", "test")).v, verdict::proceed);  // the same nonce, count 2

    // A count used before is a replay: refused as stale, so the browser asks for a new nonce.
    const std::string replay = c.answer("test", "test");
    EXPECT_EQ(c.send(replay).v, verdict::proceed);
    const auto again = c.send(replay);
    EXPECT_EQ(again.status, 401);
    EXPECT_NE(again.challenge.find("stale=true"), std::string::npos) << again.challenge;

    c.nc = 0;
    EXPECT_EQ(c.send(c.answer("test2", "test2")).v, verdict::proceed);  // the new nonce
    EXPECT_EQ(c.send(c.answer("test2", "wrong")).status, 401);
    EXPECT_EQ(c.send(c.answer("nobody", "test")).status, 401);
    EXPECT_EQ(c.send(c.answer("test", "test", "/other")).status, 401);           // not this request's uri
    EXPECT_EQ(c.send(c.answer("test", "test", "/admin?x=1", "POST")).status, 401);  // nor its method
    EXPECT_EQ(c.send("Basic dGVzdDp0ZXN0").status, 401);

    // A count of 0 is never fresh (counts start at 1), so it cannot be replayed forever.
    c.send("");
    c.nc = static_cast<unsigned>(-1);  // the next answer() counts 0
    const std::string zero = c.answer("test", "test");
    EXPECT_NE(zero.find("nc=00000000"), std::string::npos);
    EXPECT_EQ(c.send(zero).status, 401);
    EXPECT_EQ(c.send(zero).status, 401);

    // A nonce this middleware never gave.
    c.nonce = "AAAAAAAAAAAAAAAA";
    const auto unknown = c.send(c.answer("test", "test"));
    EXPECT_NE(unknown.challenge.find("stale=true"), std::string::npos);
}

TEST(digestauth, the_realm_chooses_among_users) {
    // A user of another realm is not one of this middleware's.
    client other(users({"test:otherrealm:a2688e031edb4be6a3797f3882655c05", test2_user}));
    other.send("");
    EXPECT_EQ(other.send(other.answer("test", "test")).status, 401);
    EXPECT_EQ(other.send(other.answer("test2", "test2")).v, verdict::proceed);
}

TEST(digestauth, header_field_and_remove_header) {
    client c(users({test_user}) + "headerField = 'X-WebAuth-User'\nremoveHeader = true");
    c.send("");
    const auto got = c.send(c.answer("test", "test"));
    EXPECT_EQ(got.forwarded.get("X-WebAuth-User"), "test");
    EXPECT_FALSE(got.forwarded.has("Authorization"));
}

TEST(digestauth, configuration_errors_name_the_key) {
    struct {
        std::string config;
        const char* wanted;
    } cases[] = {
        {"", "no users"},
        {"users = ['test:traefik']", "users[0]: expected \"name:realm:hash\""},
        {"users = ['test:traefik:nothex']", "users[0]: user \"test\": the hash is 32 hexadecimal digits"},
        {"usersFile = '/nonexistent/htdigest'", "usersFile: cannot read"},
        {std::string("users = ['") + test_user + "']\nrealm = 'a:b'", "realm: a realm may not hold"},
    };
    for (const auto& c : cases) {
        const std::string why = testing::middleware_refusal(SLUICE_TESTING_LINKED_PLUGIN(), c.config);
        EXPECT_NE(why.find(c.wanted), std::string::npos) << c.config << "\n -> " << why;
    }
}

}  // namespace
