// A deadline that cancels, rather than closes, a socket's pending read, so the session can
// still answer 408 on it (Beast's tcp_stream closes the socket when its timer expires).
#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sluice::http {

class read_deadline {
public:
    read_deadline(const boost::asio::any_io_executor& ex, boost::asio::ip::tcp::socket& socket)
        : timer_(ex), state_(std::make_shared<state>(state{&socket})) {}
    ~read_deadline() { state_->socket = nullptr; }
    read_deadline(const read_deadline&) = delete;
    read_deadline& operator=(const read_deadline&) = delete;

    void arm(std::chrono::milliseconds after) {
        const auto generation = ++state_->generation;
        state_->fired = false;
        timer_.expires_after(after);
        // The handler may run after the session is gone: it holds only the shared state.
        timer_.async_wait([st = state_, generation](boost::system::error_code ec) {
            if (ec || st->generation != generation || !st->socket) return;
            st->fired = true;
            st->socket->cancel(ec);
        });
    }

    // Stops the deadline; true when it fired (the read was cancelled by it).
    bool disarm() {
        ++state_->generation;
        timer_.cancel();
        return state_->fired;
    }

private:
    struct state {
        boost::asio::ip::tcp::socket* socket;
        std::uint64_t generation = 0;
        bool fired = false;
    };
    boost::asio::steady_timer timer_;
    std::shared_ptr<state> state_;
};

}  // namespace sluice::http
