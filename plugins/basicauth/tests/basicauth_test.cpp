// Traefik's basic_auth_test cases (its htpasswd vectors, users from a file merged with the
// configuration's, realm, headerField, removeHeader), every hash htpasswd writes, the file
// read again when it changes, and configuration errors.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "htpasswd.hpp"
#include "sluice/sdk/testing/fakes.hpp"

namespace {

namespace testing = sluice::sdk::testing;
using sluice::sdk::verdict;

const char* test_user = "test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/";    // password "test"
const char* test2_user = "test2:$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0";  // "test2"
const char* test3_user = "test3:$apr1$3rJbDP0q$RfzJiorTk78jQ1EcKqWso0";  // "test3"
const char* test2_overridden = "test2:$apr1$mK.GtItK$ncnLYvNLek0weXdxo68690";  // "overridden"

std::string basic(const std::string& user, const std::string& password) {
    const std::string plain = user + ":" + password;
    std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

struct middleware {
    testing::fake_host host;
    testing::collecting_errors errors;
    testing::middleware_object mw;

    explicit middleware(std::string_view config)
        : mw(SLUICE_TESTING_LINKED_PLUGIN().create_middleware(host, "auth@file", config, errors)) {
        EXPECT_TRUE(mw) << config << ": " << (errors.errors.empty() ? "" : errors.errors[0].first + " " + errors.errors[0].second);
    }

    struct outcome {
        verdict v;
        std::uint16_t status;
        std::string challenge;  // WWW-Authenticate
        testing::fake_fields forwarded;
    };
    outcome send(const std::string& authorization, testing::fake_fields extra = {}) {
        testing::fake_request req;
        req.headers = std::move(extra);
        if (!authorization.empty()) req.headers.add("Authorization", authorization);
        testing::fake_local_reply reply;
        const auto v = mw.on_request(req, reply);
        return {v, reply.status_, std::string(reply.headers.get("WWW-Authenticate")), req.headers};
    }
    bool lets_on(const std::string& user, const std::string& password) {
        return send(basic(user, password)).v == verdict::proceed;
    }
};

std::string users(std::initializer_list<const char*> lines) {
    std::string out = "users = [";
    for (const char* l : lines) out += std::string("'") + l + "',";
    return out + "]\n";
}

std::string refusal(std::string_view config) {
    return testing::middleware_refusal(SLUICE_TESTING_LINKED_PLUGIN(), config);
}

struct temp_file {
    std::string path = ::testing::TempDir() + "/users-" + std::to_string(::getpid()) + "-" +
                       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    void write(const std::string& text) const { std::ofstream(path, std::ios::trunc) << text; }
    ~temp_file() { std::remove(path.c_str()); }
};

TEST(basicauth, answers_401_with_the_realm_unless_the_password_is_right) {
    middleware m(users({test_user}));
    EXPECT_TRUE(m.lets_on("test", "test"));
    for (const auto& wrong : {basic("test", "nope"), basic("nobody", "test"), std::string(), std::string("Basic !!!!"),
                              std::string("Bearer abc"), std::string("Basic dGVzdA==")}) {  // the last: no colon
        const auto got = m.send(wrong);
        EXPECT_EQ(got.v, verdict::respond) << wrong;
        EXPECT_EQ(got.status, 401) << wrong;
        EXPECT_EQ(got.challenge, "Basic realm=\"sluice\"") << wrong;
    }
    EXPECT_EQ(middleware(users({test_user}) + "realm = 'traefiker'").send("").challenge, "Basic realm=\"traefiker\"");
    // The scheme in any case, as Go reads it.
    EXPECT_EQ(m.send("basic " + basic("test", "test").substr(6)).v, verdict::proceed);
}

TEST(basicauth, every_hash_htpasswd_writes) {
    struct {
        const char* line;
        const char* password;
    } cases[] = {
        {"test:$2a$04$.8sTYfcxbSplCtoxt5TdJOgpBYkarKtZYsYfYxQ1edbYRuO1DNi0e", "test"},  // Traefik's bcrypt
        {"test:$2b$04$rClwhGr7RFcae1HMYQQi4e1Pj6pf9kvWh0SgA7nN2zxqZlZxCMOoy", "test"},
        {"test:$2y$04$rClwhGr7RFcae1HMYQQi4e1Pj6pf9kvWh0SgA7nN2zxqZlZxCMOoy", "test"},  // htpasswd -B spells it $2y$
        {"test:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=", "test"},
        {test_user, "test"},
        {"test:$1$abc$iCQ2D3nhptRYi27fDYv2s1", "secret"},
        {"test:$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1", "secret"},
    };
    for (const auto& c : cases) {
        middleware m(users({c.line}));
        EXPECT_TRUE(m.lets_on("test", c.password)) << c.line;
        EXPECT_FALSE(m.lets_on("test", std::string(c.password) + "x")) << c.line;
        EXPECT_TRUE(m.lets_on("test", c.password)) << c.line << " (remembered)";
    }
    // apr1 and md5crypt as crypt(3) and openssl passwd make them.
    EXPECT_EQ(sluice::htpasswd::md5_crypt("secret", "abc", "$1$"), "$1$abc$iCQ2D3nhptRYi27fDYv2s1");
    EXPECT_EQ(sluice::htpasswd::md5_crypt("test", "H6uskkkW", "$apr1$"), "$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/");
}

TEST(basicauth, header_field_and_remove_header) {
    middleware field(users({test_user}) + "headerField = 'X-Webauth-User'");
    testing::fake_fields spoofed;
    spoofed.add("x-webauth-user", "admin");  // what the client claimed goes
    const auto got = field.send(basic("test", "test"), spoofed);
    EXPECT_EQ(got.forwarded.get("X-Webauth-User"), "test");
    EXPECT_EQ(got.forwarded.fields.size(), 2u);  // Authorization kept, one user field
    middleware removing(users({test_user}) + "removeHeader = true");
    EXPECT_FALSE(removing.send(basic("test", "test")).forwarded.has("Authorization"));
}

TEST(basicauth, users_file_merged_with_the_list_and_read_again_when_it_changes) {
    temp_file file;
    file.write(std::string("#Comment\n") + test_user + "\n\n  " + test2_user + "  \n");
    middleware m(users({test3_user, test2_overridden}) + "usersFile = '" + file.path + "'");
    EXPECT_TRUE(m.lets_on("test", "test"));
    EXPECT_TRUE(m.lets_on("test3", "test3"));
    EXPECT_TRUE(m.lets_on("test2", "overridden"));  // the configuration's users win
    EXPECT_FALSE(m.lets_on("test2", "test2"));

    file.write(std::string(test2_user) + "\nnew:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // looked at once a second
    EXPECT_TRUE(m.lets_on("new", "test"));
    EXPECT_FALSE(m.lets_on("test", "test"));  // gone from the file
    EXPECT_TRUE(m.lets_on("test3", "test3"));

    // A user's hash changed: the password remembered for the old one no longer lets on.
    file.write(std::string(test2_user) + "\nnew:{SHA}" + "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" + "\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_FALSE(m.lets_on("new", "test"));

    // What the file says counts: an invalid line is left out (and logged), the rest serves.
    file.write("broken line\n" + std::string("new:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_TRUE(m.lets_on("new", "test"));
    bool logged = false;
    for (const auto& [level, line] : m.host.lines) logged = logged || line.find("line 1") != std::string::npos;
    EXPECT_TRUE(logged);

    // The file removed: its users go; the configuration's stay.
    std::remove(file.path.c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_FALSE(m.lets_on("new", "test"));
    EXPECT_TRUE(m.lets_on("test3", "test3"));
}

TEST(basicauth, an_unknown_user_is_checked_against_the_costliest_hash) {
    using sluice::htpasswd::cost;
    EXPECT_GT(cost("$2y$10$abc"), cost("$2y$05$abc"));
    EXPECT_GT(cost("$2y$05$abc"), cost("$6$abc$def"));
    EXPECT_GT(cost("$6$abc$def"), cost("$apr1$abc$def"));
    EXPECT_GT(cost("$apr1$abc$def"), cost("{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M="));
}

TEST(basicauth, configuration_errors_name_the_key) {
    struct {
        std::string config;
        const char* wanted;
    } cases[] = {
        {"", "no users"},
        {"users = ['alice:secret']", "users[0]: user \"alice\": not a password hash htpasswd writes"},
        {"users = ['nocolon']", "users[0]: expected \"name:hash\""},
        {"usersFile = '/nonexistent/users'", "usersFile: cannot read \"/nonexistent/users\": No such file"},
        {users({test_user}) + "realm = 'a\"b'", "realm: a realm may not hold a quote"},
        {users({test_user}) + "headerfeild = 'X'", "unknown key (did you mean \"headerField\"?)"},
    };
    for (const auto& c : cases) {
        const std::string why = refusal(c.config);
        EXPECT_NE(why.find(c.wanted), std::string::npos) << c.config << "\n -> " << why;
    }
}

}  // namespace
