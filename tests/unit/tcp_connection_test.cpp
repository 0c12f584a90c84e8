// tcp_connection's deadlines on real loopback sockets: one fires and cancels what it bounds,
// an ended one never fires, a nearer one re-arms the timer, and a connection going away with
// its timer armed leaves nothing behind.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "http/tcp_connection.hpp"

namespace sluice::http {
namespace {

using namespace std::chrono_literals;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;
constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// A connected pair on loopback: `ours` under test, `peer` a plain socket.
struct pair {
    net::io_context ioc{1};
    std::optional<tcp_connection> ours;
    tcp::socket peer{ioc};

    pair() {
        tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
        tcp::socket client(ioc);
        client.connect(acceptor.local_endpoint());
        ours.emplace(acceptor.accept(ioc));
        peer = std::move(client);
    }

    // Runs `body` to its end (at most 10 s).
    template <class F>
    void run(F body) {
        bool done = false;
        net::co_spawn(
            ioc,
            [&]() -> net::awaitable<void> {
                co_await body();
                done = true;
            },
            net::detached);
        ioc.run_for(10s);
        ASSERT_TRUE(done);
    }

    net::awaitable<void> sleep(clock::duration d) {
        net::steady_timer t(ioc, d);
        co_await t.async_wait(nothrow);
    }

    // The peer writes one byte, "b", after `d` (the test's coroutine goes on meanwhile).
    void peer_sends_b_after(clock::duration d) {
        net::co_spawn(
            ioc,
            [this, d]() -> net::awaitable<void> {
                co_await sleep(d);
                co_await net::async_write(peer, net::buffer("b", 1), nothrow);
            },
            net::detached);
    }

    // A read the peer never answers, bounded by `after`: it must time out. How long it took.
    net::awaitable<clock::duration> read_timing_out(std::chrono::milliseconds after) {
        const auto started = clock::now();
        char byte;
        const auto within = ours->reading_within(after);
        auto [ec, n] = co_await ours->async_read_some(net::buffer(&byte, 1), nothrow);
        EXPECT_EQ(ec, net::error::operation_aborted);
        EXPECT_TRUE(within.timed_out());
        co_return clock::now() - started;
    }
};

TEST(tcp_connection, a_deadline_that_passes_cancels_the_read_and_the_connection_still_writes) {
    pair p;
    p.run([&]() -> net::awaitable<void> {
        const auto took = co_await p.read_timing_out(100ms);
        EXPECT_GE(took, 100ms);
        EXPECT_LT(took, 2s);
        // An answer after the timeout (a 408) still goes out.
        const auto within = p.ours->writing_within(1s);
        auto [wec, wn] = co_await net::async_write(*p.ours, net::buffer("408", 3), nothrow);
        EXPECT_FALSE(wec);
        EXPECT_FALSE(within.timed_out());
    });
    char got[3];
    net::read(p.peer, net::buffer(got));
    EXPECT_EQ(std::string(got, 3), "408");
}

TEST(tcp_connection, a_moved_deadline_still_bounds_a_readiness_wait_and_ends_with_its_owner) {
    // What a parked session does: the deadline travels with the wait's handler.
    pair p;
    p.run([&]() -> net::awaitable<void> {
        std::optional<tcp_connection::deadline> held;
        {
            auto within = p.ours->reading_within(100ms);
            held.emplace(std::move(within));
        }  // the moved-from one ends here and must not clear the deadline
        const auto started = clock::now();
        auto [ec] = co_await p.ours->socket().async_wait(net::socket_base::wait_read, nothrow);
        EXPECT_EQ(ec, net::error::operation_aborted);
        EXPECT_TRUE(held->timed_out());
        EXPECT_GE(clock::now() - started, 100ms);
        held.reset();
        // Ended: a later wait is not cancelled; the peer's byte comes at 200 ms.
        p.peer_sends_b_after(200ms);
        auto [wec] = co_await p.ours->socket().async_wait(net::socket_base::wait_read, nothrow);
        EXPECT_FALSE(wec);
    });
}

TEST(tcp_connection, an_ended_deadline_never_cancels_a_later_operation) {
    pair p;
    p.run([&]() -> net::awaitable<void> {
        {
            // Bounds the first write only: over at once.
            const auto within = p.ours->writing_within(50ms);
            auto [ec, n] = co_await net::async_write(*p.ours, net::buffer("a", 1), nothrow);
            EXPECT_FALSE(ec);
        }
        // A read with no deadline is still waiting after the first one's time has passed;
        // the peer's byte comes at 300 ms.
        p.peer_sends_b_after(300ms);
        char byte = 0;
        auto [ec, n] = co_await p.ours->async_read_some(net::buffer(&byte, 1), nothrow);
        EXPECT_FALSE(ec);
        EXPECT_EQ(byte, 'b');
    });
}

TEST(tcp_connection, a_nearer_deadline_is_kept_and_a_later_one_extends_the_wait) {
    pair p;
    p.run([&]() -> net::awaitable<void> {
        // The timer first waits for the write's 10 s; the read's 100 ms comes earlier.
        const auto write_within = p.ours->writing_within(10s);
        EXPECT_LT(co_await p.read_timing_out(100ms), 2s);
        EXPECT_FALSE(write_within.timed_out());
        // Reads bounded one after the other, each within 200 ms, each answered after 120 ms:
        // none times out, though together they outlast the first deadline.
        for (int i = 0; i < 4; ++i) {
            net::co_spawn(
                p.ioc,
                [&]() -> net::awaitable<void> {
                    co_await p.sleep(120ms);
                    co_await net::async_write(p.peer, net::buffer("x", 1), nothrow);
                },
                net::detached);
            char byte;
            const auto within = p.ours->reading_within(200ms);
            auto [ec, n] = co_await p.ours->async_read_some(net::buffer(&byte, 1), nothrow);
            EXPECT_FALSE(ec) << i;
            EXPECT_FALSE(within.timed_out()) << i;
        }
    });
}

TEST(tcp_connection, a_write_the_peer_does_not_read_times_out) {
    pair p;
    p.run([&]() -> net::awaitable<void> {
        const std::string lots(64 << 20, 'z');  // more than the socket buffers hold
        const auto within = p.ours->writing_within(200ms);
        auto [ec, n] = co_await net::async_write(*p.ours, net::buffer(lots), nothrow);
        EXPECT_EQ(ec, net::error::operation_aborted);
        EXPECT_TRUE(within.timed_out());
        EXPECT_LT(n, lots.size());
    });
}

TEST(tcp_connection, goes_away_with_its_timer_armed) {
    net::io_context ioc{1};
    {
        tcp_connection c(ioc.get_executor());
        const auto within = c.reading_within(1h);
        tcp_connection moved(std::move(c));
        const auto later = moved.writing_within(2h);
    }
    // The cancelled wait's handler runs and frees the shared state (ASan would see a leak
    // or a use after free).
    EXPECT_EQ(ioc.run_for(1s), 1u);
}

}  // namespace
}  // namespace sluice::http
