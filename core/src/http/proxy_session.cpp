#include "http/proxy_session.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "health/passive_health.hpp"
#include "http/forwarding.hpp"
#include "http/message_views.hpp"
#include "http/read_deadline.hpp"
#include "http/relay.hpp"
#include "http/request_target.hpp"
#include "http/server.hpp"
#include "runtime/rule.hpp"

#include <spdlog/spdlog.h>

namespace sluice::http {

namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);
constexpr std::size_t upstream_header_limit = 64 * 1024;

class proxy_session {
public:
    proxy_session(worker& w, const config::entry_point_config& ep, net::ip::tcp::socket socket)
        : w_(w), ep_(ep), client_(std::move(socket)) {
        boost::system::error_code ec;
        const auto peer = client_.socket().remote_endpoint(ec);
        if (!ec) {
            auto address = peer.address();
            if (address.is_v6() && address.to_v6().is_v4_mapped())
                address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
            client_ip_ = address.to_string();
        }
        trusted_ = ep_.forwarded_insecure ||
                   std::any_of(ep_.forwarded_trusted.begin(), ep_.forwarded_trusted.end(),
                               [&](const runtime::ip_network& n) { return n.contains(client_ip_); });
        handle_.client = &client_;
        w_.sessions.insert(&handle_);
        ++w_.metrics.open_connections;
    }
    ~proxy_session() {
        w_.sessions.erase(&handle_);
        w_.session_ended();
        --w_.metrics.open_connections;
    }

    net::awaitable<void> run() {
        buffer_.max_size(ep_.max_header_bytes + relay_chunk);
        // Beast reads as much as the buffer has room for; an empty flat_buffer would read
        // 512 bytes per system call.
        buffer_.reserve(relay_chunk);
        bool first = true;
        while (!w_.draining) {
            handle_.idle = true;
            if (buffer_.size() == 0) {
                // Wait for the next request's first byte: the idle timeout, not the read timeout.
                head_deadline_.arm(first ? ep_.read_timeout : ep_.idle_timeout);
                auto [ec, n] = co_await client_.socket().async_read_some(buffer_.prepare(relay_chunk), nothrow);
                head_deadline_.disarm();
                if (ec) break;
                buffer_.commit(n);
            }
            first = false;
            handle_.idle = false;
            if (!co_await serve_one()) break;
        }
        boost::system::error_code ec;
        client_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
        client_.close();
    }

private:
    struct exchange {
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
        std::chrono::system_clock::time_point wall = std::chrono::system_clock::now();
        unsigned status = 0;
        unsigned version = 11;  // the client's, before the head is rewritten for the upstream
        std::uint64_t bytes = 0;
        // Kept to the end of the exchange: route and server point into it, and metrics and
        // the access log read them after the response.
        std::shared_ptr<const runtime::snapshot> snapshot;
        const runtime::route* route = nullptr;
        const runtime::server* server = nullptr;
        std::string received_target;  // set when the target was normalised, for the access log
    };

    // Serves one request; false when the connection must close.
    net::awaitable<bool> serve_one() {
        bhttp::request_parser<bhttp::buffer_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(ep_.max_header_bytes));
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        head_deadline_.arm(ep_.read_timeout);
        auto [ec, n] = co_await bhttp::async_read_header(client_.socket(), buffer_, parser, nothrow);
        const bool timed_out = head_deadline_.disarm();
        if (ec) {
            if (timed_out) co_await send_local(408, "request head not received in time\n", 11, false);
            else if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
                co_await send_local(431, "request header fields too large\n", 11, false);
            else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                     ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
                co_await send_local(400, "malformed request\n", 11, false);
            co_return false;
        }
        ++served_;
        exchange x;
        const bool keep = co_await handle(parser, x);
        finish(parser.get(), x);
        co_return keep;
    }

    // Validation, routing, middlewares, forwarding. Returns whether the connection stays open.
    net::awaitable<bool> handle(bhttp::request_parser<bhttp::buffer_body>& parser, exchange& x) {
        auto& req = parser.get();
        // What the client asked for, read before any header is removed or rewritten.
        const request_facts facts = read_facts(req);
        const unsigned version = facts.version;
        x.version = version;
        // A request whose body is still unread cannot be followed by another on this connection
        // unless the body is consumed; local answers close instead.
        auto local = [&](unsigned status, std::string_view body, bool close = false) -> net::awaitable<bool> {
            x.status = status;
            x.bytes = body.size();
            const bool keep = !close && parser.is_done() && facts.keep_alive && !w_.draining;
            co_await send_local(status, body, version, keep);
            co_return keep;
        };
        if (std::distance(req.begin(), req.end()) > static_cast<std::ptrdiff_t>(ep_.max_header_count))
            co_return co_await local(431, "too many header fields\n", true);
        // Request smuggling guards: one length, and a transfer coding that really is chunked.
        if (req.count(bhttp::field::content_length) > 1 ||
            (req.find(bhttp::field::transfer_encoding) != req.end() && !parser.chunked()) ||
            (version == 11 && req.count(bhttp::field::host) != 1) || req.count(bhttp::field::host) > 1)
            co_return co_await local(400, "malformed request\n", true);
        request_target& rt = target_;
        if (!parse_request_target(req.target(), rt)) co_return co_await local(400, "malformed request target\n", true);
        if (rt.form == target_form::asterisk) {
            // As Go's server (and so Traefik) answers it.
            if (req.method() == bhttp::verb::options) co_return co_await local(200, "");
            co_return co_await local(400, "malformed request target\n", true);
        }
        if (req.method() == bhttp::verb::connect) co_return co_await local(501, "CONNECT is not supported\n", true);
        if (rt.form == target_form::authority) co_return co_await local(400, "malformed request target\n", true);
        // An absolute-form target's host overrides the Host field (RFC 9112 3.2.2).
        if (!rt.authority.empty()) req.set(bhttp::field::host, rt.authority);
        if (rt.rewritten) {
            x.received_target = req.target();
            req.target(rt.forward_target);
        }
        // Forwarding headers are settled before routing, so rules and middlewares see what
        // the upstream will see (and a middleware's X-Forwarded-Prefix survives). Hop-by-hop
        // fields go first: a client listing X-Forwarded-For in Connection cannot remove the
        // proxy's own.
        strip_hop_by_hop(req, facts.upgrade);
        set_forwarded_headers(req, {client_ip_, trusted_, facts.websocket, w_.ctx.hostname});

        std::string host = runtime::canonical_host(req[bhttp::field::host]);
        x.snapshot = w_.snapshots.get();
        const auto& snapshot = x.snapshot;
        const runtime::route_table* table = snapshot->table(ep_.name);
        const runtime::route* route =
            table ? table->match({host, rt.routing_path, req.method_string(), rt.query(), client_ip_, &req}) : nullptr;
        if (!route) co_return co_await local(404, "404 page not found\n");
        x.route = route;

        request_view view(req, client_ip_, rt.routing_path, std::move(host));
        std::size_t ran = 0;
        local_reply_builder reply;
        for (const runtime::middleware* m : route->chain) {
            ++ran;
            const sdk::verdict v = m->object->on_request(view, reply);
            // A plugin's fault (reported by its adapter) answers this request only.
            if (v == sdk::verdict::failed) co_return co_await local(500, "internal server error\n");
            if (v == sdk::verdict::respond) {
                auto& res = reply.message;
                if (res.result_int() == 0) res.result(bhttp::status::ok);
                response_view rv(res, res.result_int());
                if (!run_response_hooks(*route, ran, view, rv)) co_return co_await local(500, "internal server error\n");
                x.status = res.result_int();
                const bool keep = parser.is_done() && facts.keep_alive && !w_.draining;
                res.version(version);
                res.keep_alive(keep);
                res.prepare_payload();
                client_.expires_after(ep_.write_timeout);
                auto [wec, wn] = co_await bhttp::async_write(client_, res, nothrow);
                x.bytes = res.body().size();
                co_return keep && !wec;
            }
        }
        const runtime::service& svc = *route->target;
        prepare_upstream_head(parser);
        // Servers that failed this request before answering anything; a retry goes elsewhere.
        std::array<std::int32_t, 12> failed{};
        std::size_t failures = 0;
        // Requests sent again after a server took them and failed to answer (idempotent only).
        std::size_t resent = 0;
        const std::size_t retries = std::min<std::size_t>(svc.retries, failed.size() - 1);
        for (;;) {
            std::int32_t index = svc.picker->pick(view, {failed.data(), failures});
            // The picker failed (reported by its adapter): any healthy server rather than none.
            if (index == sdk::pick_failed) index = sdk::first_available({svc.infos, svc.up.get()}, 0, {failed.data(), failures});
            if (index < 0) {
                if (failures == 0) co_return co_await local(503, "no available server\n");
                // Every server tried failed: report the last failure.
                co_return co_await local(x.status, x.status == 504 ? "gateway timeout\n" : "bad gateway\n");
            }
            x.server = &svc.servers[static_cast<std::size_t>(index)];
            // A server that could not be reached saw nothing: as nginx does, any request then
            // goes to the next server, while untried ones remain (bounded by `failed`).
            const retry_policy policy{failures + 1 < failed.size(), facts.idempotent && resent < retries};
            const outcome o = co_await forward(parser, view, *route, svc, index, facts, policy, x, snapshot);
            if (o != outcome::redial && o != outcome::resend) co_return o == outcome::keep_alive;
            if (o == outcome::resend) ++resent;
            failed[failures++] = index;
        }
    }

    // What the client asked for, read before the head is rewritten for the upstream.
    struct request_facts {
        unsigned version = 11;
        bool keep_alive = true;
        bool is_head = false;
        bool upgrade = false;  // an Upgrade the proxy can tunnel (never h2c)
        bool websocket = false;
        bool expect_continue = false;
        bool idempotent = false;
    };

    static request_facts read_facts(const upstream_request& req) {
        request_facts f;
        f.version = req.version();
        f.keep_alive = req.keep_alive();
        f.is_head = req.method() == bhttp::verb::head;
        f.upgrade = wants_upgrade(req);
        f.websocket = f.upgrade && config::iequals(req[bhttp::field::upgrade], "websocket");
        f.expect_continue = has_token(req[bhttp::field::expect], "100-continue");
        switch (req.method()) {
            case bhttp::verb::get:
            case bhttp::verb::head:
            case bhttp::verb::options:
            case bhttp::verb::put:
            case bhttp::verb::delete_:
            case bhttp::verb::trace: f.idempotent = true; break;
            default: break;
        }
        return f;
    }

    // Rewrites the request head for the upstream once; retries send the same head.
    static void prepare_upstream_head(bhttp::request_parser<bhttp::buffer_body>& parser) {
        auto& req = parser.get();
        // The proxy answers Expect itself, once it commits to reading the body.
        req.erase(bhttp::field::expect);
        if (parser.chunked()) req.chunked(true);
        req.version(11);
    }

    // Passive health: a connection failure or a 5xx counts against the server; enough of
    // them within the window take it out of rotation until the window has passed.
    void record_failure(const runtime::service& svc, std::int32_t index,
                        const std::shared_ptr<const runtime::snapshot>& snapshot) {
        health::record_passive_failure(svc, static_cast<std::size_t>(index), snapshot, *w_.ctx.control);
    }

    // What one forwarded exchange holds, so that a request body still streaming upstream
    // (full duplex: the response may start before the request ends) outlives every return.
    struct upstream_exchange {
        explicit upstream_exchange(net::io_context& ioc) : upload_done(ioc, std::chrono::steady_clock::time_point::max()) {}
        std::unique_ptr<upstream_connection> up;
        std::optional<bhttp::serializer<true, bhttp::buffer_body>> request_writer;
        std::optional<bhttp::response_parser<bhttp::buffer_body>> response;
        bool uploading = false;
        bool upload_started = false;  // some of the body was read: the request can no longer be replayed
        relay_status upload = relay_status::done;
        net::steady_timer upload_done;  // cancelled when the upload ends
        bool reusable = false;
    };

    // redial: the server could not be reached; resend: it took the request and answered nothing.
    enum class outcome { keep_alive, close, redial, resend };
    struct retry_policy {
        bool after_dial_failure = false;
        bool after_send = false;
    };

    net::awaitable<outcome> forward(bhttp::request_parser<bhttp::buffer_body>& parser, request_view& view,
                                    const runtime::route& route, const runtime::service& svc, std::int32_t index,
                                    const request_facts& facts, retry_policy policy, exchange& x,
                                    const std::shared_ptr<const runtime::snapshot>& snapshot) {
        upstream_exchange ux(w_.ioc);
        const outcome o =
            co_await exchange_with_upstream(parser, view, route, svc, index, facts, policy, x, ux, snapshot);
        // Nothing was sent to the client, nothing of the body read.
        if (o == outcome::redial || o == outcome::resend) co_return o;
        bool keep = o == outcome::keep_alive;
        if (ux.uploading) {
            // The response ended first: stop reading the request and wait for the upload to unwind.
            boost::system::error_code ec;
            client_.socket().cancel(ec);
            if (ux.up) ux.up->stream.socket().cancel(ec);
            while (ux.uploading) co_await ux.upload_done.async_wait(nothrow);
            keep = false;
            ux.reusable = false;
        }
        if (ux.upload != relay_status::done) keep = ux.reusable = false;
        if (ux.reusable) w_.pool.release(std::move(ux.up));
        co_return keep ? outcome::keep_alive : outcome::close;
    }

    // Streams the request body upstream alongside the response (full duplex).
    void start_upload(bhttp::request_parser<bhttp::buffer_body>& parser, upstream_exchange& ux) {
        ux.uploading = true;
        ux.upload_started = true;
        net::co_spawn(
            w_.ioc,
            [this, &parser, &ux]() -> net::awaitable<void> {
                std::uint64_t sent = 0;
                ux.upload = co_await relay_body(client_, buffer_, parser, ux.up->stream, *ux.request_writer,
                                                ep_.read_timeout, w_.ctx.cfg.forwarding.read_timeout, upload_chunk_,
                                                sent);
                // A client that broke off its request, or framed it wrongly: the server will not
                // answer it, and whatever waits on that connection (a read just starting
                // included, which a cancel alone would miss) ends now.
                if (ux.upload == relay_status::read_failed || ux.upload == relay_status::malformed) {
                    boost::system::error_code ec;
                    ux.up->stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
                    ux.up->stream.socket().cancel(ec);
                }
                ux.uploading = false;
                ux.upload_done.cancel();
            },
            net::detached);
    }

    net::awaitable<outcome> exchange_with_upstream(bhttp::request_parser<bhttp::buffer_body>& parser,
                                                   request_view& view, const runtime::route& route,
                                                   const runtime::service& svc, std::int32_t index,
                                                   const request_facts& facts, retry_policy policy, exchange& x,
                                                   upstream_exchange& ux,
                                                   const std::shared_ptr<const runtime::snapshot>& snapshot) {
        auto& req = parser.get();
        const runtime::server& server = *x.server;
        const unsigned version = facts.version;
        const bool client_keep_alive = facts.keep_alive;
        const bool is_head = facts.is_head;
        const bool upgrade = facts.upgrade;
        if (!svc.pass_host_header) req.set(bhttp::field::host, server.endpoint.authority);

        auto fail = [&](unsigned status, std::string_view body) -> net::awaitable<outcome> {
            x.status = status;
            x.bytes = body.size();
            const bool keep = parser.is_done() && !ux.uploading && client_keep_alive && !w_.draining;
            co_await send_local(status, body, version, keep);
            co_return keep ? outcome::keep_alive : outcome::close;
        };
        // A failure before any response byte and before any of the body was read: another
        // server may take the request (any request when this one was never reached; an
        // idempotent one while retries remain when it was).
        auto failed_early = [&](unsigned status, bool reached) -> net::awaitable<outcome> {
            record_failure(svc, index, snapshot);
            x.status = status;
            const bool allowed = reached ? policy.after_send : policy.after_dial_failure;
            if (allowed && !ux.uploading && ux.upload == relay_status::done && !ux.upload_started)
                co_return reached ? outcome::resend : outcome::redial;
            co_return co_await fail(status, status == 504 ? "gateway timeout\n" : "bad gateway\n");
        };

        // A reused connection may have been closed by the server just as it was picked; a
        // request whose body is not yet sent is then safe to send again on a fresh one.
        for (int attempt = 0;; ++attempt) {
            dial_error derr;
            ux.up = co_await w_.pool.acquire(server.endpoint, derr, attempt > 0);
            if (!ux.up) co_return co_await failed_early(derr == dial_error::timed_out ? 504 : 502, false);
            const bool may_retry = ux.up->reused && attempt == 0 && parser.is_done();
            ux.request_writer.emplace(req);
            ux.up->stream.expires_after(w_.ctx.cfg.forwarding.dial_timeout);
            auto [wec, wn] = co_await bhttp::async_write_header(ux.up->stream, *ux.request_writer, nothrow);
            if (wec) {
                if (may_retry) continue;
                co_return co_await failed_early(502, true);
            }
            if (!parser.is_done()) {
                if (facts.expect_continue && version == 11) {
                    static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
                    client_.expires_after(ep_.write_timeout);
                    auto [cec, cn] = co_await net::async_write(client_, net::buffer(continue_line), nothrow);
                    if (cec) co_return outcome::close;
                }
                start_upload(parser, ux);
            }
            // Read the response head, skipping interim 1xx answers other than 101.
            boost::system::error_code rec;
            for (;;) {
                ux.response.emplace();
                ux.response->header_limit(upstream_header_limit);
                ux.response->body_limit(std::numeric_limits<std::uint64_t>::max());
                if (is_head) ux.response->skip(true);
                ux.up->stream.expires_after(w_.ctx.cfg.forwarding.response_header_timeout);
                auto [ec, n] = co_await bhttp::async_read_header(ux.up->stream, ux.up->buffer, *ux.response, nothrow);
                rec = ec;
                if (rec) break;
                const unsigned s = ux.response->get().result_int();
                if (s / 100 != 1 || s == 101) break;
            }
            // A malformed request body is the client's error, whatever the server said meanwhile.
            if (ux.upload == relay_status::malformed) {
                x.status = 400;
                co_await send_local(400, "malformed request body\n", version, false);
                co_return outcome::close;
            }
            if (!rec) break;
            if (ux.uploading || ux.upload == relay_status::read_failed) {
                x.status = 400;
                co_return outcome::close;  // the client broke off its own request, or the upload is stuck
            }
            const bool nothing_received = rec == bhttp::error::end_of_stream || rec == net::error::connection_reset ||
                                          rec == net::error::eof;
            if (may_retry && nothing_received) continue;
            // The server may have acted on a request it did not answer in time: never replayed.
            if (rec == beast::error::timeout) {
                record_failure(svc, index, snapshot);
                co_return co_await fail(504, "gateway timeout\n");
            }
            if (nothing_received) co_return co_await failed_early(502, true);
            record_failure(svc, index, snapshot);
            co_return co_await fail(502, "bad gateway\n");
        }

        auto& rp = *ux.response;
        auto& res = rp.get();
        const unsigned status = res.result_int();
        x.status = status;
        if (status >= 500) record_failure(svc, index, snapshot);
        const bool upstream_keep_alive = res.keep_alive();
        const bool tunnel = upgrade && status == 101;
        strip_hop_by_hop(res, tunnel);
        const bool has_body = !(is_head || status / 100 == 1 || status == 204 || status == 304);
        // A request body still arriving cannot be followed by another request.
        bool keep_alive = client_keep_alive && !w_.draining && !tunnel && parser.is_done() && !ux.uploading;
        if (has_body && !rp.is_done() && (rp.chunked() || !rp.content_length())) {
            // Re-frame: chunked for HTTP/1.1 clients; close-delimited for HTTP/1.0 ones.
            if (version == 11) res.chunked(true);
            else keep_alive = false;
        }
        response_view rv(res, status);
        if (!run_response_hooks(route, route.chain.size(), view, rv)) {
            // The upstream's body is left unread: that connection is not reused.
            ux.reusable = false;
            co_return co_await fail(500, "internal server error\n");
        }
        svc.picker->on_response(view, rv, index);
        res.version(version);
        if (!tunnel) res.keep_alive(keep_alive);

        bhttp::serializer<false, bhttp::buffer_body> rsr{res};
        const bool streaming_body = has_body && !rp.is_done();
        // When body bytes came in with the head, head and first bytes leave in one write;
        // otherwise the head goes at once (a client of a slow stream sees it without delay).
        if (!streaming_body || ux.up->buffer.size() == 0) {
            client_.expires_after(ep_.write_timeout);
            auto [hec, hn] = co_await bhttp::async_write_header(client_, rsr, nothrow);
            if (hec) co_return outcome::close;
        }
        if (tunnel) {
            co_await run_tunnel(client_, buffer_, ux.up->stream, ux.up->buffer, ep_.idle_timeout);
            co_return outcome::close;
        }
        if (streaming_body) {
            const auto relayed = co_await relay_body(ux.up->stream, ux.up->buffer, rp, client_, rsr,
                                                     w_.ctx.cfg.forwarding.read_timeout, ep_.write_timeout, chunk_,
                                                     x.bytes);
            // The server broke off mid-response: the client cannot be told but by closing.
            if (relayed != relay_status::done) co_return outcome::close;
        }
        ux.reusable = upstream_keep_alive && rp.is_done() && ux.up->buffer.size() == 0;
        co_return keep_alive ? outcome::keep_alive : outcome::close;
    }

    // Response hooks of the first `ran` middlewares, in reverse order; false when one failed.
    static bool run_response_hooks(const runtime::route& route, std::size_t ran, request_view& view,
                                   response_view& rv) {
        for (std::size_t i = ran; i-- > 0;)
            if (route.chain[i]->object->on_response(view, rv) == sdk::verdict::failed) return false;
        return true;
    }

    net::awaitable<void> send_local(unsigned status, std::string_view body, unsigned version, bool keep_alive) {
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version == 10 ? 10u : 11u};
        res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res.body() = body;
        res.keep_alive(keep_alive);
        res.prepare_payload();
        client_.expires_after(ep_.write_timeout);
        co_await bhttp::async_write(client_, res, nothrow);
    }

    void finish(const upstream_request& req, const exchange& x) {
        const auto took = std::chrono::steady_clock::now() - x.started;
        w_.metrics.record({ep_.name, x.route ? std::string_view(x.route->name) : std::string_view(),
                           x.route && x.route->target ? std::string_view(x.route->target->name) : std::string_view(),
                           x.server ? std::string_view(x.server->url) : std::string_view(), req.method_string(),
                           x.status},
                          took);
        if (!w_.ctx.access_log) return;
        log::access_entry e;
        e.client_ip = client_ip_;
        e.start = x.wall;
        e.method = req.method_string();
        e.target = x.received_target.empty() ? std::string_view(req.target()) : std::string_view(x.received_target);
        e.version = x.version;
        e.status = x.status;
        e.bytes = x.bytes;
        e.referer = req[bhttp::field::referer];
        e.user_agent = req[bhttp::field::user_agent];
        e.request_count = served_;
        if (x.route) e.router = x.route->name;
        if (x.server) e.server_url = x.server->url;
        e.duration = std::chrono::duration_cast<std::chrono::microseconds>(took);
        w_.ctx.access_log->write(e);
    }

    worker& w_;
    const config::entry_point_config& ep_;
    beast::tcp_stream client_;
    read_deadline head_deadline_{client_.get_executor(), client_.socket()};
    beast::flat_buffer buffer_;
    std::string client_ip_;
    request_target target_;  // reused per request: keeps its buffers
    bool trusted_ = false;
    std::uint64_t served_ = 0;
    session_handle handle_;
    std::array<char, relay_chunk> chunk_;         // response bodies
    std::array<char, relay_chunk> upload_chunk_;  // request bodies, streamed at the same time
};

}  // namespace

net::awaitable<void> run_session(worker& w, const config::entry_point_config& ep, net::ip::tcp::socket socket) {
    proxy_session session(w, ep, std::move(socket));
    co_await session.run();
}

}  // namespace sluice::http
