#include "http/session.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <span>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>

#include "http/connection_blocks.hpp"
#include "http/exchange.hpp"
#include "http/server.hpp"

namespace sluice::http {

namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// A keep-alive connection with no request for this long is parked: its coroutine ends, and
// what is left of it until the next request (the socket, its timer, who the peer is) is a
// few hundred bytes. A busy one (its next request within this) keeps its coroutine: parking
// costs a readiness wait (an epoll_ctl) and a new coroutine when the request comes.
constexpr std::chrono::milliseconds park_after{20};

// One client connection, from accept to close. It lives on the heap, owned by the coroutine
// that serves it while it is busy, and by its readiness wait while it is parked.
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
                                 [&](const sdk::ip_network& n) { return n.contains(c_.ip); });
        c_.buffer.max_size(c_.ep.max_header_bytes + relay_chunk);
        c_.handle.client = &c_.connection();
        w.sessions.push_back(c_.handle);
        ++w.metrics.open_connections;
    }
    ~session() {
        boost::system::error_code ec;
        c_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
        c_.connection().close();
        c_.w.sessions.erase(c_.w.sessions.iterator_to(c_.handle));
        --c_.w.metrics.open_connections;
        c_.w.session_ended();
    }
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    // A session lives as long as its connection: its memory is the worker's connection pages.
    static void* operator new(std::size_t bytes) {
        static_assert(alignof(session) <= 16, "connection blocks are 16-byte aligned");
        return connection_blocks::take(bytes);
    }
    static void operator delete(void* block, std::size_t bytes) noexcept { connection_blocks::give(block, bytes); }

    // Serves requests until the connection closes or parks. `first`: nothing was read on it
    // yet (the read timeout applies, not the idle timeout).
    static net::awaitable<void> serve(std::unique_ptr<session> self, bool first) {
        auto& c = self->c_;
        // Where an idle connection's next bytes are read: most request heads fit (as in
        // nginx's client_header_buffer_size); the rest is read into the read buffer.
        std::array<char, 1024> first_bytes;
        request_target target;  // reused per request: keeps its buffers
        while (!c.w.draining) {
            c.handle.idle = true;
            std::span<const char> fresh;  // bytes just read into first_bytes
            if (c.buffer.size() == 0) {
                // Idle, nothing read ahead: hold no read buffer (as nginx does); it is taken
                // when the next bytes come. A readiness wait instead of this read would cost an
                // epoll_ctl per request: only a connection idle for park_after pays that.
                c.buffer.shrink_to_fit();
                const bool may_park = !first && c.ep.idle_timeout > park_after;
                boost::system::error_code ec;
                std::size_t n = 0;
                bool timed_out = false;
                {
                    const auto within = c.connection().reading_within(first      ? c.ep.read_timeout
                                                                      : may_park ? park_after
                                                                                 : c.ep.idle_timeout);
                    std::tie(ec, n) = co_await c.stream.async_read_some(net::buffer(first_bytes), nothrow);
                    timed_out = within.timed_out();
                }
                if (ec) {
                    if (may_park && timed_out && !c.w.draining) {
                        park(std::move(self), c.ep.idle_timeout - park_after);
                        co_return;
                    }
                    break;
                }
                fresh = {first_bytes.data(), n};
            }
            first = false;
            c.handle.idle = false;
            if (!co_await self->serve_one(target, fresh)) break;
        }
    }

private:
    // The readiness wait of a parked connection, and what it owns: the session, and the rest
    // of its idle timeout (declared after the session, so it ends first).
    struct parked {
        std::unique_ptr<session> self;
        tcp_connection::deadline idle;

        using allocator_type = connection_allocator<void>;
        allocator_type get_allocator() const noexcept { return {}; }

        void operator()(boost::system::error_code ec) {
            // Timed out (the idle timeout) or cancelled (the worker drains or stops): the
            // session ends here and closes its connection. Readable (a request, or the peer's
            // close) starts a coroutine again.
            if (ec || self->c_.w.draining) return;
            auto& w = self->c_.w;
            { auto ended = std::move(idle); }
            net::co_spawn(w.ioc, serve(std::move(self), false), log_escaped);
        }
    };

    static void park(std::unique_ptr<session> self, std::chrono::milliseconds left) {
        auto& conn = self->c_.connection();
        auto idle = conn.reading_within(left);
        conn.socket().async_wait(net::socket_base::wait_read, parked{std::move(self), std::move(idle)});
    }

    // Serves one request, whose first bytes are `fresh` (just read) or in the read buffer
    // (read ahead); false when the connection must close.
    net::awaitable<bool> serve_one(request_target& target, std::span<const char> fresh) {
        request_parser parser;
        parser.header_limit(static_cast<std::uint32_t>(c_.ep.max_header_bytes));
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        // A head that came in one read (the usual case) is parsed where it is; Beast's read
        // would hand it back through the scheduler, one more epoll_wait. The parser stops
        // after the head. A request with no body whose head came in `fresh` alone never takes
        // the read buffer (a block of the worker's pool): only what follows the head (its
        // body, a longer head, a next request) is copied into it.
        boost::system::error_code ec;
        if (fresh.empty()) {
            c_.buffer.consume(parser.put(c_.buffer.data(), ec));
        } else {
            const std::size_t used = parser.put(net::buffer(fresh.data(), fresh.size()), ec);
            if (used < fresh.size() || !parser.is_done()) {
                // Beast reads as much as the buffer has room for; an empty flat_buffer would
                // read 512 bytes per system call.
                c_.buffer.reserve(relay_chunk);
                c_.buffer.commit(
                    net::buffer_copy(c_.buffer.prepare(fresh.size() - used), net::buffer(fresh.data() + used, fresh.size() - used)));
            }
        }
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
        exchange<Stream> x(c_, parser, target);
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
        if (const runtime::service* owner = x.server && x.route ? x.route->target->owner_of(x.server) : nullptr) {
            const runtime::service& svc = *owner;
            const auto index = static_cast<std::size_t>(x.server - svc.servers.data());
            if (index < svc.health.size())
                svc.health[index]->load.served(std::chrono::duration<double, std::micro>(took).count());
        }
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
};

}  // namespace

void start_session(worker& w, const config::entry_point_config& ep, tcp_connection::socket_type socket) {
    net::co_spawn(
        w.ioc,
        session<tcp_connection>::serve(std::make_unique<session<tcp_connection>>(w, ep, tcp_connection(std::move(socket))), true),
        log_escaped);
}

}  // namespace sluice::http
