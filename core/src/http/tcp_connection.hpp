// A TCP connection of the data path: the socket, and the deadlines of its reads and writes
// on one timer.
//
// Beast's tcp_stream starts a timer wait on every read and write and cancels it after, and
// each cancelled wait is one more completion through the scheduler. Here a deadline is set
// by storing a time: the timer waits for the earliest deadline it knows of and is re-armed
// only when one comes earlier. When it fires it looks at the deadlines set now: one that has
// passed cancels the socket's operations (the caller sees operation_aborted and asks
// timed_out()); otherwise it waits again for the next one, or not at all. So a busy
// keep-alive connection costs one timer wait per timeout period, not two per operation.
//
// A deadline bounds one logical operation (a head read through Beast's composed read
// included): `auto within = c.reading_within(t)` before it, and the deadline ends with
// `within`. A deadline that fired is over: the connection can still write its answer (a
// 408 after a head read timed out).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <tuple>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/connection_blocks.hpp"

namespace sluice::http {

namespace net = boost::asio;

class tcp_connection {
    struct state;

public:
    // The worker's io_context executor itself, not the type-erased any_io_executor: every
    // operation copies it, and every handler stores it.
    using executor_type = net::io_context::executor_type;
    using socket_type = net::basic_stream_socket<net::ip::tcp, executor_type>;
    using clock = std::chrono::steady_clock;

    explicit tcp_connection(socket_type socket)
        : socket_(std::move(socket)), state_(std::allocate_shared<state>(connection_allocator<state>{}, socket_)) {}
    explicit tcp_connection(const executor_type& ex) : tcp_connection(socket_type(ex)) {}
    tcp_connection(tcp_connection&& o) noexcept : socket_(std::move(o.socket_)), state_(std::move(o.state_)) {
        state_->socket = &socket_;
    }
    tcp_connection& operator=(tcp_connection&&) = delete;
    ~tcp_connection() {
        if (!state_) return;  // moved from
        state_->socket = nullptr;
        state_->timer.cancel();  // its handler holds the state: let it go now
    }

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    socket_type& socket() noexcept { return socket_; }

    // A byte stream (AsyncReadStream, AsyncWriteStream): the socket's own operations.
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return socket_.async_read_some(buffers, std::forward<Token>(token));
    }
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return socket_.async_write_some(buffers, std::forward<Token>(token));
    }

    // Sends all of `buffers`: at once when the socket takes them (most writes: no trip
    // through the reactor and the scheduler, so no extra epoll_wait), the rest as the peer
    // reads. The error, and the bytes sent.
    net::awaitable<std::tuple<boost::system::error_code, std::size_t>> send(
        std::span<const net::const_buffer> buffers);
    net::awaitable<std::tuple<boost::system::error_code, std::size_t>> send(net::const_buffer buffer);
    // send() in two halves, for the data path's writes, which the socket almost always takes
    // whole: what it takes now, without a coroutine (the error, the bytes taken), then, only
    // when it took less, the rest from `sent` on.
    std::tuple<boost::system::error_code, std::size_t> send_now(std::span<const net::const_buffer> buffers) noexcept;
    net::awaitable<std::tuple<boost::system::error_code, std::size_t>> send_rest(
        std::span<const net::const_buffer> buffers, std::size_t sent);

    // Cancels the pending operations; later ones run.
    void cancel() noexcept {
        boost::system::error_code ec;
        socket_.cancel(ec);
    }
    void close() noexcept {
        boost::system::error_code ec;
        socket_.close(ec);
    }

    enum class direction { read, write };

    // The deadline of the operations in one direction until it ends.
    class deadline {
    public:
        deadline(tcp_connection& c, direction d, std::chrono::milliseconds after) : state_(c.state_.get()), d_(d) {
            state_->set(d_, clock::now() + after);
        }
        deadline(deadline&& o) noexcept : state_(std::exchange(o.state_, nullptr)), d_(o.d_) {}
        ~deadline() {
            if (state_) state_->due[static_cast<int>(d_)] = clock::time_point::max();
        }
        deadline(const deadline&) = delete;
        deadline& operator=(const deadline&) = delete;

        // The deadline passed, and the operations pending then were cancelled.
        bool timed_out() const noexcept { return state_->fired[static_cast<int>(d_)]; }

    private:
        state* state_;
        direction d_;
    };

    [[nodiscard]] deadline reading_within(std::chrono::milliseconds after) { return {*this, direction::read, after}; }
    [[nodiscard]] deadline writing_within(std::chrono::milliseconds after) {
        return {*this, direction::write, after};
    }

private:
    struct state : std::enable_shared_from_this<state> {
        explicit state(socket_type& s) : socket(&s), timer(s.get_executor()) {}

        socket_type* socket;  // null once the connection is gone
        net::basic_waitable_timer<clock, net::wait_traits<clock>, executor_type> timer;
        clock::time_point due[2]{clock::time_point::max(), clock::time_point::max()};
        bool fired[2]{false, false};
        clock::time_point armed_for = clock::time_point::max();  // max: the timer waits for nothing
        std::uint64_t generation = 0;                            // of the timer's current wait

        void set(direction d, clock::time_point at) {
            due[static_cast<int>(d)] = at;
            fired[static_cast<int>(d)] = false;
            if (at < armed_for) arm(at);
        }
        void arm(clock::time_point at) {
            armed_for = at;
            // Replacing the wait cancels the old one: its handler sees a newer generation.
            timer.expires_at(at);
            timer.async_wait(expiry{shared_from_this(), ++generation});
        }
        // The timer's handler: it waits as long as the connection lives, so its memory is a
        // block of the connection pages (connection_blocks), not a recycled one of any size.
        struct expiry {
            std::shared_ptr<state> self;
            std::uint64_t generation;
            using allocator_type = connection_allocator<void>;
            allocator_type get_allocator() const noexcept { return {}; }
            void operator()(boost::system::error_code) const {
                if (self->generation == generation && self->socket) self->expire();
            }
        };
        void expire() {
            armed_for = clock::time_point::max();
            const auto now = clock::now();
            bool passed = false;
            for (int d = 0; d < 2; ++d) {
                if (due[d] > now) continue;
                due[d] = clock::time_point::max();
                fired[d] = passed = true;
            }
            if (passed) {
                boost::system::error_code ec;
                socket->cancel(ec);
            }
            if (const auto next = std::min(due[0], due[1]); next != clock::time_point::max()) arm(next);
        }
    };

    socket_type socket_;
    std::shared_ptr<state> state_;
};

}  // namespace sluice::http
