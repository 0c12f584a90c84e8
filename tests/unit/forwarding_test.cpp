#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http/forwarding.hpp"

namespace http = sluice::http;
namespace bhttp = boost::beast::http;

namespace {

TEST(hop_by_hop, removes_the_set_and_fields_named_in_connection) {
    http::fields f;
    f.set(bhttp::field::connection, "keep-alive, X-Secret");
    f.set("X-Secret", "1");
    f.set(bhttp::field::keep_alive, "timeout=5");
    f.set(bhttp::field::te, "trailers");
    f.set(bhttp::field::upgrade, "websocket");
    f.set(bhttp::field::proxy_connection, "x");
    f.set("X-Kept", "yes");
    http::strip_hop_by_hop(f, false);
    for (auto name : {"Connection", "X-Secret", "Keep-Alive", "TE", "Upgrade", "Proxy-Connection"})
        EXPECT_EQ(f.find(name), f.end()) << name;
    EXPECT_EQ(f["X-Kept"], "yes");
}

TEST(hop_by_hop, reads_every_connection_field_and_keeps_the_order_of_the_rest) {
    http::fields f;
    f.insert("X-A", "1");
    f.insert(bhttp::field::connection, "x-listed-one");
    f.insert("X-Listed-One", "gone");
    f.insert(bhttp::field::transfer_encoding, "chunked");
    f.insert("X-B", "2");
    f.insert(bhttp::field::connection, " X-LISTED-TWO , close");
    f.insert("x-listed-two", "gone");
    f.insert(bhttp::field::trailer, "X-T");
    f.insert("X-C", "3");
    http::strip_hop_by_hop(f, false);
    std::vector<std::string> left;
    for (const auto& field : f) left.emplace_back(field.name_string());
    EXPECT_EQ(left, (std::vector<std::string>{"X-A", "X-B", "X-C"}));
}

TEST(hop_by_hop, keeps_upgrade_for_a_tunnel) {
    http::fields f;
    f.set(bhttp::field::connection, "Upgrade");
    f.set(bhttp::field::upgrade, "websocket");
    EXPECT_TRUE(http::wants_upgrade(f));
    http::strip_hop_by_hop(f, true);
    EXPECT_EQ(f[bhttp::field::upgrade], "websocket");
    EXPECT_EQ(f[bhttp::field::connection], "upgrade");
}

TEST(forwarded, untrusted_client_values_are_replaced) {
    http::fields f;
    f.set(bhttp::field::host, "demo.localhost:8000");
    f.set("X-Forwarded-For", "6.6.6.6");
    f.set("X_Forwarded_Host", "evil");
    f.set("X-Real-Ip", "6.6.6.6");
    http::set_forwarded_headers(f, {"127.0.0.1", false, false, "proxy-1"});
    EXPECT_EQ(f["X-Forwarded-For"], "127.0.0.1");
    EXPECT_EQ(f.find("X_Forwarded_Host"), f.end());
    EXPECT_EQ(f["X-Forwarded-Host"], "demo.localhost:8000");
    EXPECT_EQ(f["X-Forwarded-Port"], "8000");
    EXPECT_EQ(f["X-Forwarded-Proto"], "http");
    EXPECT_EQ(f["X-Real-Ip"], "127.0.0.1");
    EXPECT_EQ(f["X-Forwarded-Server"], "proxy-1");
}

TEST(forwarded, trusted_proxy_chain_is_appended) {
    http::fields f;
    f.set(bhttp::field::host, "demo.localhost");
    f.set("X-Forwarded-For", "1.1.1.1");
    f.set("X-Forwarded-Proto", "https");
    http::set_forwarded_headers(f, {"10.0.0.2", true, false, "p"});
    EXPECT_EQ(f["X-Forwarded-For"], "1.1.1.1, 10.0.0.2");
    EXPECT_EQ(f["X-Forwarded-Proto"], "https");
    EXPECT_EQ(f["X-Forwarded-Port"], "80");
}

TEST(forwarded, fields_a_trusted_proxy_set_are_kept_and_the_server_is_ours) {
    http::fields f;
    f.set(bhttp::field::host, "[::1]:8443");
    f.insert("X-Forwarded-Host", "original.example");
    f.insert("X-Forwarded-Server", "their-proxy");
    f.insert("x-forwarded-for", "1.1.1.1");
    f.insert("X-Forwarded-For", "2.2.2.2");
    http::set_forwarded_headers(f, {"10.0.0.2", true, true, "ours"});
    EXPECT_EQ(f["X-Forwarded-For"], "1.1.1.1, 2.2.2.2, 10.0.0.2");
    EXPECT_EQ(f.count("X-Forwarded-For"), 1u);
    EXPECT_EQ(f["X-Forwarded-Host"], "original.example");
    EXPECT_EQ(f["X-Forwarded-Server"], "ours");
    EXPECT_EQ(f.count("X-Forwarded-Server"), 1u);
    EXPECT_EQ(f["X-Forwarded-Proto"], "ws");
    EXPECT_EQ(f["X-Forwarded-Port"], "8443");
    EXPECT_EQ(f["X-Real-Ip"], "10.0.0.2");
}

TEST(upgrade, h2c_is_never_an_upgrade_to_tunnel) {
    struct {
        const char* upgrade;
        bool tunnel;
    } cases[] = {{"websocket", true}, {"h2c", false}, {"H2C", false}, {"websocket, h2c", false}, {"foo", true}};
    for (const auto& c : cases) {
        http::fields f;
        f.set(bhttp::field::connection, "Upgrade, HTTP2-Settings");
        f.set(bhttp::field::upgrade, c.upgrade);
        f.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
        EXPECT_EQ(http::wants_upgrade(f), c.tunnel) << c.upgrade;
        http::strip_hop_by_hop(f, http::wants_upgrade(f));
        EXPECT_EQ(f.find("HTTP2-Settings"), f.end());
        EXPECT_EQ(f.find(bhttp::field::upgrade) != f.end(), c.tunnel) << c.upgrade;
    }
}

TEST(forwarded, rfc7239_field_from_untrusted_peers_is_removed) {
    for (bool trusted : {false, true}) {
        http::fields f;
        f.set(bhttp::field::host, "a.example");
        f.set("Forwarded", "for=10.0.0.1;proto=https");
        http::set_forwarded_headers(f, {"127.0.0.1", trusted, false, "proxy"});
        EXPECT_EQ(f.find("Forwarded") != f.end(), trusted);
    }
}

}  // namespace
