#include "http/session.hpp"

#include <algorithm>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>

#include "http/exchange.hpp"
#include "http/server.hpp"

namespace sluice::http {

namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);

template <class Stream>
class session {
public:
    session(worker& w, const config::entry_point_config& ep, Stream stream)
        : c_(w, ep, std::move(stream), w.chunks) {
        boost::system::error_code ec;
        const auto peer = c_.socket().remote_endpoint(ec);
        if (!ec) {
            auto address = peer.address();
            if (address.is_v6() && address.to_v6().is_v4_mapped())
                address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
            c_.ip = address.to_string();
        }
        c_.trusted = ep.forwarded_insecure ||
                     std::any_of(ep.forwarded_trusted.begin(), ep.forwarded_trusted.end(),
                                 [&](const config::ip_network& n) { return n.contains(c_.ip); });
        c_.handle.client = &c_.connection();
        w.sessions.insert(&c_.handle);
        ++w.metrics.open_connections;
    }
    ~session() {
        c_.w.sessions.erase(&c_.handle);
        --c_.w.metrics.open_connections;
        c_.w.session_ended();
    }
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    net::awaitable<void> run() {
        c_.buffer.max_size(c_.ep.max_header_bytes + relay_chunk);
        bool first = true;
        while (!c_.w.draining) {
            c_.handle.idle = true;
            if (c_.buffer.size() == 0) {
                // Idle, nothing read ahead: hold no read buffer (as nginx does). The next
                // request's first bytes land in the connection's small first_bytes, and the
                // read buffer is taken when they come (the idle timeout, not the read timeout).
                // A readiness wait instead of the read would cost an epoll_ctl per request.
                c_.buffer.shrink_to_fit();
                const auto within = c_.connection().reading_within(first ? c_.ep.read_timeout : c_.ep.idle_timeout);
                auto [ec, n] = co_await c_.stream.async_read_some(net::buffer(c_.first_bytes), nothrow);
                if (ec) break;
                // Beast reads as much as the buffer has room for; an empty flat_buffer would
                // read 512 bytes per system call.
                c_.buffer.reserve(relay_chunk);
                c_.buffer.commit(net::buffer_copy(c_.buffer.prepare(n), net::buffer(c_.first_bytes, n)));
            }
            first = false;
            c_.handle.idle = false;
            if (!co_await serve_one()) break;
        }
        boost::system::error_code ec;
        c_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
        c_.connection().close();
    }

private:
    // Serves one request; false when the connection must close.
    net::awaitable<bool> serve_one() {
        request_parser parser;
        parser.header_limit(static_cast<std::uint32_t>(c_.ep.max_header_bytes));
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        // A head already in the buffer (the usual case: it came in one read) is parsed here;
        // Beast's read would hand it back through the scheduler, one more epoll_wait.
        boost::system::error_code ec;
        c_.buffer.consume(parser.put(c_.buffer.data(), ec));
        bool timed_out = false;
        if (ec == bhttp::error::need_more) {
            const auto within = c_.connection().reading_within(c_.ep.read_timeout);
            auto [rec, n] = co_await bhttp::async_read_header(c_.stream, c_.buffer, parser, nothrow);
            ec = rec;
            timed_out = within.timed_out();
        }
        if (ec) {
            // A head that cannot be read is answered (when there is something to say) and ends
            // the connection: its bytes cannot be told from the next request's.
            if (timed_out) co_await send_text(c_, 408, "request head not received in time\n", 11, false);
            else if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
                co_await send_text(c_, 431, "request header fields too large\n", 11, false);
            else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                     ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
                co_await send_text(c_, 400, "malformed request\n", 11, false);
            co_return false;
        }
        ++c_.served;
        exchange<Stream> x(c_, parser, target_);
        const bool keep = co_await x.run();
        finish(x);
        co_return keep;
    }

    // Metrics and the access log of one finished exchange.
    void finish(const exchange<Stream>& x) {
        const auto& req = x.parser.get();
        const auto took = std::chrono::steady_clock::now() - x.started;
        c_.w.metrics.record({c_.ep.name, x.route ? std::string_view(x.route->name) : std::string_view(),
                             x.route && x.route->target ? std::string_view(x.route->target->name) : std::string_view(),
                             x.server ? std::string_view(x.server->url) : std::string_view(), req.method_string(),
                             x.status},
                            took);
        if (!c_.w.ctx.access_log) return;
        log::access_entry e;
        e.client_ip = c_.ip;
        e.start = x.wall;
        e.method = req.method_string();
        e.target = x.received_target.empty() ? std::string_view(req.target()) : std::string_view(x.received_target);
        e.version = x.facts.version;
        e.status = x.status;
        e.bytes = x.bytes;
        e.referer = req[bhttp::field::referer];
        e.user_agent = req[bhttp::field::user_agent];
        e.request_count = c_.served;
        if (x.route) e.router = x.route->name;
        if (x.server) e.server_url = x.server->url;
        e.duration = std::chrono::duration_cast<std::chrono::microseconds>(took);
        c_.w.ctx.access_log->write(e);
    }

    client_connection<Stream> c_;
    request_target target_;  // reused per request: keeps its buffers
};

}  // namespace

void start_session(worker& w, const config::entry_point_config& ep, net::ip::tcp::socket socket) {
    net::co_spawn(
        w.ioc,
        [&w, &ep, socket = std::move(socket)]() mutable -> net::awaitable<void> {
            session<tcp_connection> s(w, ep, tcp_connection(std::move(socket)));
            co_await s.run();
        },
        log_escaped);
}

}  // namespace sluice::http
