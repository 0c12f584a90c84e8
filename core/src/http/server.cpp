#include "http/server.hpp"

#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "http/session.hpp"

namespace sluice::http {

namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);
using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

net::awaitable<void> accept_loop(worker& w, net::ip::tcp::acceptor& acceptor, const config::entry_point_config& ep) {
    net::steady_timer backoff(w.ioc);
    for (;;) {
        // Accepted onto the worker's io_context executor (tcp_connection::socket_type).
        auto [ec, socket] = co_await acceptor.async_accept(w.ioc, nothrow);
        if (ec) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
            // Out of descriptors or similar: log and let connections drain before retrying.
            spdlog::warn("entry point {}: accept failed: {}", ep.name, ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        boost::system::error_code opt_ec;
        socket.set_option(net::ip::tcp::no_delay(true), opt_ec);
        start_session(w, ep, std::move(socket));
    }
}

void schedule_sweep(worker& w) {
    w.sweep_timer.expires_after(std::chrono::seconds(5));
    w.sweep_timer.async_wait([&w](boost::system::error_code ec) {
        if (ec || w.draining) return;
        w.pool.sweep();
        schedule_sweep(w);
    });
}

net::ip::tcp::endpoint resolve_listen(const config::listen_address& a) {
    if (a.host.empty()) return {net::ip::tcp::v4(), a.port};
    boost::system::error_code ec;
    auto address = net::ip::make_address(a.host, ec);
    if (!ec) return {address, a.port};
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    auto results = resolver.resolve(a.host, std::to_string(a.port), ec);
    if (ec || results.empty()) throw std::runtime_error("cannot resolve " + a.host + ": " + ec.message());
    return *results.begin();
}

}  // namespace

void log_escaped(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& ex) {
        if (ex.code() != net::error::operation_aborted)
            spdlog::error("connection ended by an unexpected error: {}", ex.what());
    } catch (const std::exception& ex) {
        spdlog::error("connection ended by an unexpected error: {}", ex.what());
    } catch (...) {
        spdlog::error("connection ended by an unknown error");
    }
}

worker::worker(const server_context& context)
    : ctx(context), pool(ioc, context.cfg.forwarding, chunks), snapshots(context.store), sweep_timer(ioc),
      terminate_timer(ioc) {}

void session_handle::cancel() noexcept {
    cancelled = true;
    boost::system::error_code ec;
    for (tcp_connection* s : {client, upstream}) {
        if (!s) continue;
        s->socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
        s->socket().cancel(ec);
    }
}

void worker::stop_serving(bool cancel_busy) {
    draining = true;
    for (auto& [acceptor, ep] : acceptors) {
        boost::system::error_code ec;
        acceptor->close(ec);
    }
    sweep_timer.cancel();
    pool.clear();
    // Cancelling may end a session at once, which removes it from the list.
    std::vector<session_handle*> open;
    for (session_handle& s : sessions) open.push_back(&s);
    for (session_handle* s : open) {
        if (s->idle) s->client->cancel();
        else if (cancel_busy) s->cancel();
    }
}

void worker::terminate() {
    on_drained = [this] { ioc.stop(); };
    stop_serving(true);
    // A session that has not unwound by then is abandoned with the io_context.
    terminate_timer.expires_after(std::chrono::seconds(2));
    terminate_timer.async_wait([this](boost::system::error_code ec) {
        if (!ec) ioc.stop();
    });
    session_ended();
}

proxy_server::proxy_server(const server_context& context, std::size_t workers) : ctx_(context) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, workers); ++i)
        workers_.push_back(std::make_unique<worker>(context));
}

proxy_server::~proxy_server() { stop(); }

std::vector<std::pair<std::string, std::string>> proxy_server::listen() {
    std::vector<std::pair<std::string, std::string>> bound;
    for (const auto& ep : ctx_.cfg.entry_points) {
        net::ip::tcp::endpoint endpoint = resolve_listen(ep.address);
        for (auto& w : workers_) {
            auto acceptor = std::make_unique<net::ip::tcp::acceptor>(w->ioc);
            boost::system::error_code ec;
            acceptor->open(endpoint.protocol(), ec);
            if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
            // Every worker listens on the same port; the kernel spreads connections.
            if (!ec) acceptor->set_option(reuse_port(true), ec);
            if (!ec) acceptor->bind(endpoint, ec);
            if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
            if (ec)
                throw std::runtime_error("entry point " + ep.name + ": cannot listen on " + ep.address.to_string() +
                                         ": " + ec.message());
            // Port 0: the first worker's port is everyone's.
            endpoint = acceptor->local_endpoint();
            w->acceptors.emplace_back(std::move(acceptor), &ep);
        }
        std::ostringstream text;
        text << endpoint;
        bound.emplace_back(ep.name, text.str());
    }
    return bound;
}

void proxy_server::start() {
    for (auto& w : workers_) {
        for (auto& [acceptor, ep] : w->acceptors)
            net::co_spawn(w->ioc, accept_loop(*w, *acceptor, *ep), log_escaped);
        schedule_sweep(*w);
        w->thread = std::thread([&ioc = w->ioc] { ioc.run(); });
    }
}

void proxy_server::drain(std::function<void()> on_idle) {
    auto remaining = std::make_shared<std::atomic<std::size_t>>(workers_.size());
    auto done = std::make_shared<std::function<void()>>(std::move(on_idle));
    for (auto& w : workers_) {
        net::post(w->ioc, [&w = *w, remaining, done] {
            // This worker reports when its last connection ends (at once when it has none).
            w.on_drained = [remaining, done] {
                if (remaining->fetch_sub(1) == 1) (*done)();
            };
            w.stop_serving(false);
            w.session_ended();
        });
    }
}

net::awaitable<proxy_server::metrics_snapshot> proxy_server::collect_metrics() {
    metrics_snapshot total;
    for (auto& w : workers_) {
        auto shard = co_await net::co_spawn(
            w->ioc, [&w = *w]() -> net::awaitable<metrics_snapshot> { co_return metrics_snapshot{w.metrics.requests(), w.metrics.open_connections}; },
            net::use_awaitable);
        total.open_connections += shard.open_connections;
        for (auto& [key, stats] : shard.requests) total.requests[key].merge(stats);
    }
    co_return total;
}

void proxy_server::stop() {
    for (auto& w : workers_)
        if (w->thread.joinable()) net::post(w->ioc, [&w = *w] { w.terminate(); });
    for (auto& w : workers_)
        if (w->thread.joinable()) w->thread.join();
    for (auto& w : workers_) w->on_drained = nullptr;
}

}  // namespace sluice::http
