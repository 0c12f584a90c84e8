// The data path's rooms on real loopback sockets, without the binary: a session on a worker
// serves one scripted client, in front of scripted upstream servers, with a snapshot built
// by hand (no plugins). And the keep-alive rule, as a table.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include "http/local_reply.hpp"
#include "http/server.hpp"
#include "http/session.hpp"
#include "runtime/snapshot.hpp"
#include "runtime/snapshot_store.hpp"

namespace sluice::http {
namespace {

using tcp = net::ip::tcp;
constexpr auto nothrow = net::as_tuple(net::use_awaitable);

TEST(keep_alive_rule, keeps_only_what_every_condition_allows) {
    struct row {
        keep_alive_rule rule;
        bool keeps;
    };
    const std::vector<row> rows{
        {{true, true, false, false}, true},
        {{false, true, false, false}, false},  // Connection: close, or HTTP/1.0 without keep-alive
        {{true, false, false, false}, false},  // the body is still arriving
        {{true, true, true, false}, false},    // the worker drains
        {{true, true, false, true}, false},    // a broken request
    };
    for (const auto& r : rows) EXPECT_EQ(r.rule.allows(), r.keeps);
}

// A strategy over abi.h that proposes servers in index order; the host refuses those that
// failed. The picker is the server count itself.
const sluice_balancer_ops in_order_ops{
    sizeof(sluice_balancer_ops),
    nullptr,
    nullptr,
    nullptr,
    [](void* picker) { delete static_cast<std::size_t*>(picker); },
    [](void* picker, const sluice_request*, const sluice_server_filter* filter) -> int32_t {
        for (std::size_t i = 0; i < *static_cast<std::size_t*>(picker); ++i)
            if (filter->accept(static_cast<std::int32_t>(i))) return static_cast<std::int32_t>(i);
        return -1;
    },
    nullptr,
    nullptr,
};

// A strategy that always returns server 0 without asking the filter, and records how the
// host reports each attempt to it.
std::vector<sluice_attempt> stubborn_attempts;
const sluice_balancer_ops stubborn_ops{
    sizeof(sluice_balancer_ops),
    nullptr,
    nullptr,
    nullptr,
    [](void* picker) { delete static_cast<std::size_t*>(picker); },
    [](void*, const sluice_request*, const sluice_server_filter*) -> int32_t { return 0; },
    nullptr,
    [](void*, const sluice_request*, const sluice_attempt* a) { stubborn_attempts.push_back(*a); },
};

// A server that reads one request head (not its body) and answers with `answer` (raw
// bytes) or, when `answer` is empty, closes without a word.
struct scripted_upstream {
    scripted_upstream(net::io_context& ioc, std::string answer_bytes)
        : acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0}), answer(std::move(answer_bytes)) {
        net::co_spawn(ioc, serve(), net::detached);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()); }

    net::awaitable<void> serve() {
        auto [aec, socket] = co_await acceptor.async_accept(nothrow);
        if (aec) co_return;
        beast::flat_buffer buffer;
        bhttp::request_parser<bhttp::empty_body> parser;
        auto [rec, rn] = co_await bhttp::async_read_header(socket, buffer, parser, nothrow);
        if (rec) co_return;
        received.push_back(parser.get());
        if (answer.empty()) co_return;
        co_await net::async_write(socket, net::buffer(answer), nothrow);
        // Keep the connection until the peer closes it.
        char byte;
        co_await socket.async_read_some(net::buffer(&byte, 1), nothrow);
    }

    tcp::acceptor acceptor;
    std::string answer;
    std::vector<bhttp::request<bhttp::empty_body>> received;
};

// A closed port: connecting to it is refused.
std::string refused_url(net::io_context& ioc) {
    tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    return "http://127.0.0.1:" + std::to_string(a.local_endpoint().port());
}

class exchange_test : public ::testing::Test {
protected:
    exchange_test() {
        ep_.name = "web";
        cfg_.forwarding.dial_timeout = std::chrono::milliseconds(2000);
        cfg_.forwarding.response_header_timeout = std::chrono::milliseconds(2000);
    }

    // One router for every path, to a service over `urls` picked in order (by `ops`).
    void serve(const std::vector<std::string>& urls, const sluice_balancer_ops* ops = &in_order_ops) {
        auto snap = std::make_shared<runtime::snapshot>();
        auto svc = std::make_unique<runtime::service>();
        svc->name = "svc@test";
        for (const auto& url : urls) {
            runtime::server s{url, {}, 1};
            ASSERT_TRUE(runtime::parse_upstream_url(url, s.endpoint)) << url;
            svc->servers.push_back(std::move(s));
        }
        for (const auto& s : svc->servers) svc->infos.push_back({plugin::to_str(s.url), s.weight});
        for (std::size_t i = 0; i < urls.size(); ++i) svc->health.push_back(std::make_shared<runtime::server_health>());
        auto layer = std::make_unique<runtime::service::balancer_layer>();
        layer->plugin = "in-order";
        layer->picker = {ops, new std::size_t(urls.size()), nullptr, nullptr};
        svc->pick_ops = ops;
        svc->picker = layer->picker.get();
        svc->layers.push_back(std::move(layer));
        auto r = std::make_unique<runtime::route>();
        r->name = "all@test";
        std::string error;
        r->matcher = *runtime::rule::parse("PathPrefix(`/`)", error);
        r->target = svc.get();
        snap->tables["web"].add(r.get());
        snap->tables["web"].sort();
        snap->services.emplace(svc->name, std::move(svc));
        snap->routes.emplace(r->name, std::move(r));
        store_.publish(std::move(snap));
    }

    // Sends `request` (raw bytes) through a session and returns the response it got.
    bhttp::response<bhttp::string_body> exchange(const std::string& request) {
        tcp::acceptor entry(w_.ioc, {net::ip::make_address("127.0.0.1"), 0});
        net::co_spawn(
            w_.ioc,
            [&]() -> net::awaitable<void> {
                auto [ec, socket] = co_await entry.async_accept(w_.ioc, nothrow);
                if (!ec) start_session(w_, ep_, std::move(socket));
            },
            net::detached);
        bhttp::response<bhttp::string_body> res;
        net::co_spawn(
            w_.ioc,
            [&]() -> net::awaitable<void> {
                tcp::socket client(w_.ioc);
                auto [cec] = co_await client.async_connect(entry.local_endpoint(), nothrow);
                if (!cec) {
                    co_await net::async_write(client, net::buffer(request), nothrow);
                    beast::flat_buffer buffer;
                    co_await bhttp::async_read(client, buffer, res, nothrow);
                }
                w_.ioc.stop();
            },
            net::detached);
        w_.ioc.run_for(std::chrono::seconds(10));
        return res;
    }

    config::static_config cfg_;
    config::entry_point_config ep_;
    runtime::snapshot_store store_;
    net::io_context control_;
    server_context ctx_{cfg_, store_, nullptr, "proxy.test", &control_};
    worker w_{ctx_};
};

TEST_F(exchange_test, forwards_to_the_picked_server_and_relays_its_answer) {
    scripted_upstream up(w_.ioc, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-From: up\r\n\r\nhello");
    serve({up.url()});
    const auto res = exchange("GET /a?b=1 HTTP/1.1\r\nHost: demo.test\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "hello");
    EXPECT_EQ(res["X-From"], "up");
    EXPECT_TRUE(res.keep_alive());
    ASSERT_EQ(up.received.size(), 1u);
    EXPECT_EQ(up.received[0].target(), "/a?b=1");
    EXPECT_EQ(up.received[0][bhttp::field::host], "demo.test");
    EXPECT_EQ(up.received[0]["X-Forwarded-For"], "127.0.0.1");
    EXPECT_EQ(up.received[0]["X-Forwarded-Server"], "proxy.test");
}

TEST_F(exchange_test, a_pick_the_host_does_not_take_is_reported_to_the_picker_as_refused) {
    scripted_upstream up(w_.ioc, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    serve({refused_url(w_.ioc), up.url()}, &stubborn_ops);
    // Server 0 is down: the host serves from server 1, which the picker did not choose.
    store_.load()->services.begin()->second->health[0]->active_up = false;
    stubborn_attempts.clear();
    const auto res = exchange("GET / HTTP/1.1\r\nHost: demo.test\r\n\r\n");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(up.received.size(), 1u);
    // Its pick counted out at once; nothing of server 1, which it did not pick.
    ASSERT_EQ(stubborn_attempts.size(), 1u);
    EXPECT_EQ(stubborn_attempts[0].server, 0);
    EXPECT_EQ(stubborn_attempts[0].outcome, static_cast<std::uint32_t>(SLUICE_ATTEMPT_REFUSED));
    EXPECT_EQ(stubborn_attempts[0].latency_us, 0u);
}

TEST_F(exchange_test, an_unreachable_server_sends_the_request_to_the_next) {
    scripted_upstream up(w_.ioc, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    serve({refused_url(w_.ioc), up.url()});
    // Not idempotent: only a server that never saw it may be tried next.
    const auto res = exchange("POST /items HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(res.result_int(), 201u);
    EXPECT_EQ(up.received.size(), 1u);
}

TEST_F(exchange_test, a_server_that_closes_unanswered_is_not_asked_twice_for_a_post) {
    scripted_upstream silent(w_.ioc, "");
    scripted_upstream up(w_.ioc, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    serve({silent.url(), up.url()});
    const auto res = exchange("POST /items HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(res.result_int(), 502u);
    EXPECT_EQ(silent.received.size(), 1u);
    EXPECT_TRUE(up.received.empty());
}

TEST_F(exchange_test, a_get_the_server_dropped_is_resent_to_the_next) {
    scripted_upstream silent(w_.ioc, "");
    scripted_upstream up(w_.ioc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    serve({silent.url(), up.url()});
    const auto res = exchange("GET / HTTP/1.1\r\nHost: demo.test\r\n\r\n");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "ok");
}

TEST_F(exchange_test, no_server_left_answers_503) {
    serve({});
    const auto res = exchange("GET / HTTP/1.1\r\nHost: demo.test\r\n\r\n");
    EXPECT_EQ(res.result_int(), 503u);
    EXPECT_EQ(res.body(), "no available server\n");
}

TEST_F(exchange_test, an_early_answer_ends_the_upload_and_the_connection) {
    // The server answers without reading the body the client is still sending.
    scripted_upstream up(w_.ioc, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n");
    serve({up.url()});
    const auto res = exchange("POST /up HTTP/1.1\r\nHost: demo.test\r\nContent-Length: 100000\r\n\r\npartial");
    EXPECT_EQ(res.result_int(), 413u);
    EXPECT_FALSE(res.keep_alive());
}

TEST_F(exchange_test, a_broken_head_is_refused_and_closes) {
    serve({});
    const auto res = exchange("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    EXPECT_EQ(res.result_int(), 400u);
    EXPECT_FALSE(res.keep_alive());
}

}  // namespace
}  // namespace sluice::http
