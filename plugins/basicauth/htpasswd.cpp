#include "htpasswd.hpp"

#include "auth_options.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <memory>

namespace sluice::htpasswd {

namespace {

std::string sha1_base64(std::string_view password) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(password.data()), password.size(), digest);
    unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

// One MD5 over the parts fed to it.
class md5 {
public:
    md5() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_.get(), EVP_md5(), nullptr); }
    md5& operator<<(std::string_view s) {
        EVP_DigestUpdate(ctx_.get(), s.data(), s.size());
        return *this;
    }
    std::array<unsigned char, 16> done() {
        std::array<unsigned char, 16> out{};
        EVP_DigestFinal_ex(ctx_.get(), out.data(), nullptr);
        return out;
    }

private:
    struct free_ctx {
        void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
    };
    std::unique_ptr<EVP_MD_CTX, free_ctx> ctx_;
};

std::string_view bytes(const std::array<unsigned char, 16>& d, std::size_t n = 16) {
    return {reinterpret_cast<const char*>(d.data()), n};
}

}  // namespace

std::string md5_crypt(std::string_view password, std::string_view salt, std::string_view magic) {
    salt = salt.substr(0, std::min<std::size_t>(salt.find('$'), 8));
    auto alternate = (md5() << password << salt << password).done();
    md5 context;
    context << password << magic << salt;
    for (std::size_t left = password.size(); left > 0; left -= std::min<std::size_t>(left, 16))
        context << bytes(alternate, std::min<std::size_t>(left, 16));
    for (std::size_t i = password.size(); i > 0; i >>= 1)
        context << ((i & 1) ? std::string_view("\0", 1) : password.substr(0, 1));
    auto digest = context.done();
    for (int i = 0; i < 1000; ++i) {
        md5 round;
        if (i & 1) round << password;
        else round << bytes(digest);
        if (i % 3) round << salt;
        if (i % 7) round << password;
        if (i & 1) round << bytes(digest);
        else round << password;
        digest = round.done();
    }
    static constexpr char itoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string out(magic);
    out.append(salt).push_back('$');
    auto put = [&](unsigned value, int count) {
        for (; count > 0; --count, value >>= 6) out.push_back(itoa64[value & 0x3F]);
    };
    static constexpr int order[5][3] = {{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
    for (const auto& o : order) put((unsigned(digest[o[0]]) << 16) | (unsigned(digest[o[1]]) << 8) | digest[o[2]], 4);
    put(digest[11], 2);
    return out;
}

bool known_hash(std::string_view hash, std::string& why) {
    if (hash.starts_with("{SHA}")) {
        if (hash.size() == 5 + 28) return true;
        why = "a {SHA} hash is 28 base64 characters after {SHA}";
        return false;
    }
    if (hash.starts_with("$apr1$")) {
        if (hash.find('$', 6) != std::string_view::npos) return true;
        why = "an $apr1$ hash is $apr1$<salt>$<hash>";
        return false;
    }
    if (hash.starts_with("$")) {
        const std::string setting(hash);
        const int check = crypt_checksalt(setting.c_str());
        if (check == CRYPT_SALT_OK || check == CRYPT_SALT_METHOD_LEGACY) return true;
    }
    why = "not a password hash htpasswd writes (bcrypt with htpasswd -B, $apr1$ with -m, {SHA} with -s); "
          "a password in clear is not accepted";
    return false;
}

int cost(std::string_view hash) {
    if (hash.size() > 6 && hash.starts_with("$2") && hash[3] == '$')
        return 1000 + (hash[4] - '0') * 10 + (hash[5] - '0');  // $2y$10$...
    if (hash.starts_with("$5$") || hash.starts_with("$6$") || hash.starts_with("$y$") || hash.starts_with("$7$")) return 500;
    if (hash.starts_with("$1$") || hash.starts_with("$apr1$")) return 100;
    return 1;
}

bool verify(std::string_view password, std::string_view hash) {
    if (hash.starts_with("{SHA}")) return auth::same_secret(hash.substr(5), sha1_base64(password));
    if (hash.starts_with("$apr1$")) return auth::same_secret(hash, md5_crypt(password, hash.substr(6), "$apr1$"));
    // crypt(3)'s state (32 KiB, zeroed) for this call: cheap beside the hash itself. crypt_rn
    // rather than crypt_r: the sanitizers intercept crypt_r, and their interceptor calls
    // nothing when libcrypt came in with this plugin rather than with the program.
    const auto data = std::make_unique<crypt_data>();
    const std::string phrase(password), setting(hash);
    const char* result = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), static_cast<int>(sizeof(crypt_data)));
    return result && auth::same_secret(hash, result);
}

}  // namespace sluice::htpasswd
