#include "http/upstream_call.hpp"

#include <limits>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include "health/passive_health.hpp"
#include "http/content_sniff.hpp"
#include "http/forwarding.hpp"
#include "http/server.hpp"

namespace sluice::http {

namespace {
using namespace boost::asio::experimental::awaitable_operators;
constexpr auto nothrow = net::as_tuple(net::use_awaitable);
constexpr std::size_t upstream_header_limit = 64 * 1024;

// The bytes sniffing reads (at most 512), gathered from a body's first pieces.
std::string first_bytes(std::span<const net::const_buffer> pieces) {
    std::string out;
    for (const auto& piece : pieces) {
        out.append(static_cast<const char*>(piece.data()), std::min<std::size_t>(piece.size(), 512 - out.size()));
        if (out.size() == 512) break;
    }
    return out;
}
}  // namespace

template <class Stream>
void upstream_call<Stream>::ended(sluice_attempt_outcome how) noexcept {
    if (!told_ || std::exchange(ended_, true)) return;
    attempt_.outcome = how;
    attempt_.latency_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began_).count());
}

template <class Stream>
net::awaitable<outcome> upstream_call<Stream>::attempt(exchange<Stream>& x, const runtime::service& svc,
                                                       std::int32_t index, retry_policy policy, bool chosen) {
    upstream_call call(x, svc, index, policy, chosen);
    co_return call.settle(co_await call.run());
}

template <class Stream>
outcome upstream_call<Stream>::settle(outcome o) {
    client_.handle.upstream = nullptr;
    if (told_) {
        ended(SLUICE_ATTEMPT_RESET);  // ended without a head, and without a failure seen as one
        svc_.pick_ops->on_attempt(svc_.picker, &*x_.view, &attempt_);
    }
    if (o == outcome::redial || o == outcome::resend) return o;
    bool keep = o == outcome::keep_alive;
    if (upload_ != relay_status::done) keep = reusable_ = false;
    if (reusable_) client_.w.pool.release(std::move(up_));
    return keep ? outcome::keep_alive : outcome::close;
}

template <class Stream>
net::awaitable<outcome> upstream_call<Stream>::run() {
    auto& parser = x_.parser;
    auto& req = parser.get();
    const runtime::server& server = *x_.server;
    const auto& forwarding = client_.w.ctx.cfg.forwarding;
    if (!svc_.pass_host_header) req.set(bhttp::field::host, server.endpoint.authority);
    // A reused connection may have been closed by the server just as it was picked; a
    // request whose body is not yet sent is then safe to send again on a fresh one.
    for (int attempt = 0;; ++attempt) {
        dial_error derr;
        const reuse which = attempt > 0 ? reuse::none : parser.is_done() ? reuse::recent : reuse::checked;
        up_ = co_await client_.w.pool.acquire(server.endpoint, derr, which);
        if (!up_) {
            ended(SLUICE_ATTEMPT_REFUSED);
            co_return co_await failed_early(derr == dial_error::timed_out ? 504 : 502, false);
        }
        client_.handle.upstream = &up_->stream;
        const bool may_retry = up_->reused && attempt == 0 && parser.is_done();
        write_head(head_, req);
        boost::system::error_code wec;
        {
            const auto within = up_->stream.writing_within(forwarding.dial_timeout);
            const net::const_buffer head(head_.data(), head_.size());
            std::size_t sent = 0;
            std::tie(wec, sent) = up_->stream.send_now({&head, 1});
            if (!wec && sent < head.size()) std::tie(wec, std::ignore) = co_await up_->stream.send_rest({&head, 1}, sent);
        }
        if (wec) {
            if (may_retry) continue;
            co_return co_await failed_early(502, true);
        }
        if (!parser.is_done()) {
            if (x_.facts.expect_continue && x_.facts.version == 11 && !co_await send_continue(client_))
                co_return outcome::close;
            uploading_ = upload_started_ = true;
            co_return co_await (upload() && respond_while_uploading());
        }
        if (const auto o = co_await respond(may_retry)) co_return *o;
    }
}

// Streams the request body upstream alongside the response (full duplex).
template <class Stream>
net::awaitable<void> upstream_call<Stream>::upload() {
    std::uint64_t sent = 0;
    body_framing framing(x_.parser.get().chunked());
    upload_ = co_await relay_body(client_.stream, client_.buffer, x_.parser, up_->stream, framing,
                                  client_.ep.read_timeout, client_.w.ctx.cfg.forwarding.read_timeout, sent,
                                  x_.composite && x_.composite->mirror ? x_.composite->mirror->body_sink() : nullptr);
    uploading_ = false;
    // A client that broke off its request, or framed it wrongly: the server will not answer
    // it, and whatever waits on that connection (a read just starting included, which a
    // cancel alone would miss) ends now.
    if (upload_ == relay_status::read_failed || upload_ == relay_status::malformed) {
        boost::system::error_code ec;
        up_->stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
        up_->stream.socket().cancel(ec);
    }
}

template <class Stream>
net::awaitable<outcome> upstream_call<Stream>::respond_while_uploading() {
    const auto o = co_await respond(false);
    if (!uploading_) co_return *o;
    // The response ended first: the rest of the request is not read, and neither connection
    // carries another exchange. Shutting the reading sides ends the upload's pending and
    // next operations alike.
    boost::system::error_code ec;
    client_.socket().shutdown(net::ip::tcp::socket::shutdown_receive, ec);
    client_.socket().cancel(ec);
    up_->stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    up_->stream.socket().cancel(ec);
    reusable_ = false;
    co_return outcome::close;
}

template <class Stream>
net::awaitable<std::optional<outcome>> upstream_call<Stream>::respond(bool may_retry) {
    const auto& forwarding = client_.w.ctx.cfg.forwarding;
    // Read the response head, skipping interim 1xx answers other than 101.
    boost::system::error_code rec;
    for (;;) {
        response_.emplace();
        response_->header_limit(upstream_header_limit);
        response_->body_limit(std::numeric_limits<std::uint64_t>::max());
        if (x_.facts.is_head) response_->skip(true);
        const auto within = up_->stream.reading_within(forwarding.response_header_timeout);
        auto [ec, n] = co_await bhttp::async_read_header(up_->stream, up_->buffer, *response_, nothrow);
        rec = ec && within.timed_out() ? beast::error::timeout : ec;
        if (rec) break;
        const unsigned s = response_->get().result_int();
        if (s / 100 != 1 || s == 101) break;
    }
    // A malformed request body is the client's error, whatever the server said meanwhile.
    if (upload_ == relay_status::malformed) {
        x_.status = 400;
        co_await send_text(client_, 400, "malformed request body\n", x_.facts.version, false, x_.facts.is_head);
        co_return outcome::close;
    }
    if (rec) co_return co_await head_failed(rec, may_retry);

    auto& rp = *response_;
    auto& res = rp.get();
    const unsigned status = res.result_int();
    x_.status = status;
    attempt_.status = static_cast<std::uint16_t>(status);
    ended(SLUICE_ATTEMPT_RESPONSE);
    if (status >= 500) record_failure();
    const bool upstream_keep_alive = res.keep_alive();
    const bool tunnel = x_.facts.upgrade && status == 101;
    strip_hop_by_hop(res, tunnel);
    const bool has_body = !(x_.facts.is_head || status / 100 == 1 || status == 204 || status == 304);
    bool keep_alive = !tunnel && x_.keep_alive(!uploading_).allows();
    if (has_body && !rp.is_done() && (rp.chunked() || !rp.content_length())) {
        // Re-frame: chunked for HTTP/1.1 clients; close-delimited for HTTP/1.0 ones.
        if (x_.facts.version == 11) res.chunked(true);
        else keep_alive = false;
    }
    // A sticky weighted service pinned the client: its cookie, before the middlewares see the response.
    if (x_.composite)
        for (const auto& cookie : x_.composite->set_cookies) res.insert(bhttp::field::set_cookie, cookie);
    response_view rv(res, status);
    if (!x_.run_response_hooks(rv)) {
        // The upstream's body is left unread: that connection is not reused.
        reusable_ = false;
        co_return co_await fail(500);
    }
    if (chosen_ && svc_.pick_ops->on_response) svc_.pick_ops->on_response(svc_.picker, &*x_.view, &rv, index_);
    res.version(x_.facts.version);
    if (!tunnel) res.keep_alive(keep_alive);

    write_head(head_, res);
    body_framing framing(res.chunked(), head_);
    const bool streaming_body = has_body && !rp.is_done();
    // A middleware asked for the body's type (contentType) and the server named none: the head
    // waits for the first bytes, which name it.
    first_bytes_hook name_type;
    if (streaming_body && rv.names_type_from_body())
        name_type = [&](std::span<const net::const_buffer> pieces) {
            res.set(bhttp::field::content_type, sniff_content_type(first_bytes(pieces)));
            write_head(head_, res);
            framing.replace_head(head_);
        };
    // When body bytes came in with the head, head and first bytes leave in one write;
    // otherwise the head goes at once (a client of a slow stream sees it without delay).
    if (!streaming_body || (up_->buffer.size() == 0 && !name_type)) {
        const auto within = client_.writing();
        auto [hec, hn] = co_await client_.stream.send(framing.flush_head());
        if (hec) co_return outcome::close;
    }
    if (tunnel) {
        co_await run_tunnel(client_.stream, client_.buffer, up_->stream, up_->buffer, client_.ep.idle_timeout);
        co_return outcome::close;
    }
    if (streaming_body) {
        const auto relayed = co_await relay_body(up_->stream, up_->buffer, rp, client_.stream, framing,
                                                 client_.w.ctx.cfg.forwarding.read_timeout, client_.ep.write_timeout,
                                                 x_.bytes, nullptr, name_type ? &name_type : nullptr);
        // The server broke off mid-response: the client cannot be told but by closing.
        if (relayed != relay_status::done) co_return outcome::close;
    }
    reusable_ = upstream_keep_alive && rp.is_done() && up_->buffer.size() == 0;
    co_return keep_alive ? outcome::keep_alive : outcome::close;
}

// Why no response head came, and what follows: another server, or the proxy's answer.
template <class Stream>
net::awaitable<std::optional<outcome>> upstream_call<Stream>::head_failed(boost::system::error_code rec,
                                                                          bool may_retry) {
    if (uploading_ || upload_ == relay_status::read_failed) {
        x_.status = 400;
        co_return outcome::close;  // the client broke off its own request, or the upload is stuck
    }
    // The worker is ending the session: nobody is to blame and nothing is retried.
    if (client_.handle.cancelled) co_return outcome::close;
    const bool nothing_received =
        rec == bhttp::error::end_of_stream || rec == net::error::connection_reset || rec == net::error::eof;
    if (may_retry && nothing_received) co_return std::nullopt;
    // The server may have acted on a request it did not answer in time: never replayed.
    if (rec == beast::error::timeout) {
        ended(SLUICE_ATTEMPT_TIMEOUT);
        record_failure();
        co_return co_await fail(504);
    }
    if (nothing_received) co_return co_await failed_early(502, true);
    record_failure();
    co_return co_await fail(502);
}

template <class Stream>
net::awaitable<outcome> upstream_call<Stream>::fail(unsigned status) {
    const std::string_view text = status == 500 ? "internal server error\n" : gateway_text(status);
    const bool keep = co_await x_.reply(status, text, x_.keep_alive(!uploading_));
    co_return keep ? outcome::keep_alive : outcome::close;
}

// Another server may take the request: any request when this one was never reached; an
// idempotent one while retries remain when it was.
template <class Stream>
net::awaitable<outcome> upstream_call<Stream>::failed_early(unsigned status, bool reached) {
    record_failure();
    x_.status = status;
    const bool allowed = reached ? policy_.after_send : policy_.after_dial_failure;
    if (allowed && !upload_started_ && !client_.handle.cancelled) co_return reached ? outcome::resend : outcome::redial;
    co_return co_await fail(status);
}

// Passive health (health/): a connection failure or a 5xx counts against the server.
template <class Stream>
void upstream_call<Stream>::record_failure() {
    if (client_.handle.cancelled) return;
    health::record_passive_failure(svc_, static_cast<std::size_t>(index_), *client_.w.ctx.control);
}

template class upstream_call<tcp_connection>;

}  // namespace sluice::http
