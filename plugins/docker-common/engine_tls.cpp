// The TLS client context for the Engine (engine_link.hpp).
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine_link.hpp"

namespace sluice::docker {

namespace {

// Traefik's "file or content": PEM text as it is, otherwise the path of a file holding it.
std::string pem(const std::string& value, const char* key) {
    if (value.find("-----BEGIN") != std::string::npos) return value;
    std::ifstream in(value, std::ios::binary);
    std::stringstream text;
    if (in) text << in.rdbuf();
    if (!in || text.str().empty())
        throw std::invalid_argument(std::string(key) + ": cannot read " + value + " (a PEM file, or the PEM itself)");
    return text.str();
}

}  // namespace

std::shared_ptr<net::ssl::context> make_tls_context(const tls_settings& settings) {
    auto ssl = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    ssl->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (settings.ca.empty()) {
        ssl->set_default_verify_paths(ec);
    } else {
        const std::string ca = pem(settings.ca, "tls.ca");
        ssl->add_certificate_authority(net::buffer(ca), ec);
        if (ec) throw std::invalid_argument("tls.ca: not a PEM certificate (" + ec.message() + ")");
    }
    if (settings.cert.empty() != settings.key.empty())
        throw std::invalid_argument(std::string(settings.cert.empty() ? "tls.cert" : "tls.key") +
                                    ": the client's certificate and key go together");
    if (!settings.cert.empty()) {
        const std::string cert = pem(settings.cert, "tls.cert"), key = pem(settings.key, "tls.key");
        ssl->use_certificate_chain(net::buffer(cert), ec);
        if (ec) throw std::invalid_argument("tls.cert: not a PEM certificate (" + ec.message() + ")");
        // An encrypted key would make OpenSSL ask for a passphrase on the terminal: refused instead.
        ssl->set_password_callback([](std::size_t, net::ssl::context::password_purpose) { return std::string(); });
        ssl->use_private_key(net::buffer(key), net::ssl::context::pem, ec);
        if (ec)
            throw std::invalid_argument("tls.key: not an unencrypted PEM private key (" + ec.message() + ")");
        if (SSL_CTX_check_private_key(ssl->native_handle()) != 1)
            throw std::invalid_argument("tls.key: the key does not match tls.cert");
    }
    ssl->set_verify_mode(settings.insecure_skip_verify ? net::ssl::verify_none : net::ssl::verify_peer);
    return ssl;
}

}  // namespace sluice::docker
