#include "http/mirror.hpp"

#include <array>
#include <limits>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <spdlog/spdlog.h>

#include "health/passive_health.hpp"
#include "http/server.hpp"
#include "http/server_selection.hpp"
#include "http/wire.hpp"

namespace sluice::http {

namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// A mirror's answer is read to its end (so that its connection can serve again) and dropped.
struct discard_body {
    struct value_type {};
    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(bhttp::header<isRequest, Fields>&, value_type&) {}
        void init(const boost::optional<std::uint64_t>&, boost::system::error_code& ec) { ec = {}; }
        template <class ConstBuffers>
        std::size_t put(const ConstBuffers& buffers, boost::system::error_code& ec) {
            ec = {};
            return net::buffer_size(buffers);
        }
        void finish(boost::system::error_code& ec) { ec = {}; }
    };
};
using discarding_parser = bhttp::parser<false, discard_body, head_allocator>;

// Tells the picker that chose the server how the copy's attempt ended: once, however the
// coroutine ends.
class attempt_report {
public:
    attempt_report(const runtime::service& svc, const sluice_request& request, std::int32_t server, bool chosen)
        : svc_(svc), request_(request), told_(chosen && svc.pick_ops->on_attempt) {
        attempt_.server = server;
    }
    ~attempt_report() {
        if (told_) svc_.pick_ops->on_attempt(svc_.picker, &request_, &attempt_);
    }
    attempt_report(const attempt_report&) = delete;
    attempt_report& operator=(const attempt_report&) = delete;

    void ended(sluice_attempt_outcome how, unsigned status = 0) noexcept {
        attempt_.outcome = how;
        attempt_.status = static_cast<std::uint16_t>(status);
        attempt_.latency_us = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began_).count());
    }

private:
    const runtime::service& svc_;
    const sluice_request& request_;
    bool told_;
    std::chrono::steady_clock::time_point began_ = std::chrono::steady_clock::now();
    sluice_attempt attempt_{sizeof(sluice_attempt), -1, SLUICE_ATTEMPT_RESET, 0, 0};
};

// One copy to one mirror; its status (the proxy's own 502/503/504 when the mirror gave none)
// goes to the mirror service's metrics.
net::awaitable<void> send_one(worker& w, mirror_copy& m, const runtime::mirror_target& t, session_handle& handle) {
    const auto began = std::chrono::steady_clock::now();
    std::string_view server_url;
    unsigned status = 503;
    const bool with_body = m.has_body && t.via->mirror_body;
    const std::int64_t now = runtime::steady_now_ms();
    // A mirror that mirrors in turn adds its own mirrors to the copy's (send_all sends them next).
    runtime::request_choices choices;
    const runtime::service& svc = t.svc->resolve(now, &choices);
    m.targets.insert(m.targets.end(), choices.mirrors.begin(), choices.mirrors.end());
    server_selection selection(svc, now);
    request_view view(m.head, m.client_ip, m.routing_path, m.host);
    bool chosen = true;
    const std::int32_t index = pick_server(svc, view, selection, chosen);
    if (index >= 0) {
        const auto i = static_cast<std::size_t>(index);
        const runtime::server& server = svc.servers[i];
        server_url = server.url;
        const runtime::server_health::load_stats::hold in_flight(svc.health[i]->load);
        attempt_report report(svc, view, index, chosen);
        auto& head = m.head;
        if (!svc.pass_host_header) head.set(bhttp::field::host, server.endpoint.authority);
        else if (m.host_field.empty()) head.erase(bhttp::field::host);
        else head.set(bhttp::field::host, m.host_field);
        if (m.has_body) {
            head.chunked(false);
            head.content_length(with_body ? m.body.bytes.size() : 0);
        }
        head_text text;
        write_head(text, head);
        const auto& forwarding = w.ctx.cfg.forwarding;
        // A pooled connection the server closed as the copy was written to it: once more on a
        // fresh one (the server saw nothing), as the exchange does.
        for (int attempt = 0; attempt < 2 && !handle.cancelled; ++attempt) {
            dial_error derr;
            auto up = co_await w.pool.acquire(server.endpoint, derr, attempt == 0 ? reuse::checked : reuse::none);
            if (handle.cancelled) break;
            if (!up) {
                report.ended(SLUICE_ATTEMPT_REFUSED);
                status = derr == dial_error::timed_out ? 504 : 502;
                break;
            }
            handle.upstream = &up->stream;
            boost::system::error_code ec;
            const std::array<net::const_buffer, 2> out{net::buffer(text.data(), text.size()),
                                                       net::buffer(with_body ? std::string_view(m.body.bytes) : "")};
            {
                const auto within = up->stream.writing_within(forwarding.read_timeout);
                std::size_t sent = 0;
                std::tie(ec, sent) = up->stream.send_now(out);
                if (!ec && sent < net::buffer_size(out)) std::tie(ec, sent) = co_await up->stream.send_rest(out, sent);
            }
            std::optional<discarding_parser> p;
            bool timed_out = false;
            // The head, skipping interim answers.
            while (!ec) {
                p.emplace();
                p->header_limit(64 * 1024);
                p->body_limit(std::numeric_limits<std::uint64_t>::max());
                if (head.method() == bhttp::verb::head) p->skip(true);
                const auto within = up->stream.reading_within(forwarding.response_header_timeout);
                std::tie(ec, std::ignore) = co_await bhttp::async_read_header(up->stream, up->buffer, *p, nothrow);
                timed_out = ec && within.timed_out();
                if (ec || p->get().result_int() / 100 != 1) break;
            }
            const bool nothing_back = ec && !timed_out &&
                                      (ec == bhttp::error::end_of_stream || ec == net::error::connection_reset ||
                                       ec == net::error::eof || ec == net::error::broken_pipe);
            if (ec) {
                handle.upstream = nullptr;
                if (nothing_back && up->reused && attempt == 0) continue;
                report.ended(timed_out ? SLUICE_ATTEMPT_TIMEOUT : SLUICE_ATTEMPT_RESET);
                status = timed_out ? 504 : 502;
                break;
            }
            status = p->get().result_int();
            report.ended(SLUICE_ATTEMPT_RESPONSE, status);
            {
                const auto within = up->stream.reading_within(forwarding.read_timeout);
                std::tie(ec, std::ignore) = co_await bhttp::async_read(up->stream, up->buffer, *p, nothrow);
            }
            handle.upstream = nullptr;
            if (!ec && p->is_done() && p->keep_alive() && up->buffer.size() == 0) w.pool.release(std::move(up));
            break;
        }
        handle.upstream = nullptr;
        if (handle.cancelled) co_return;
        if (status >= 500) health::record_passive_failure(svc, i, *w.ctx.control);
    }
    if (handle.cancelled) co_return;
    w.metrics.record({"", "", t.svc->name, server_url, m.head.method_string(), status},
                     std::chrono::steady_clock::now() - began);
}

net::awaitable<void> send_all(worker& w, std::unique_ptr<mirror_copy> m, bool body_complete) {
    // Seen by the worker as a busy session: draining waits for it, terminating cancels it.
    session_handle handle;
    handle.idle = false;
    w.sessions.push_back(handle);
    struct done {
        worker& w;
        session_handle& handle;
        ~done() {
            w.sessions.erase(w.sessions.iterator_to(handle));
            --w.mirror_copies;
            w.session_ended();
        }
    } registered{w, handle};
    // From the worker's loop, not from within the exchange that ended: the client's next
    // request does not wait for the copy's pick, dial and write.
    co_await net::post(w.ioc, net::use_awaitable);
    // By index: a mirror that mirrors adds targets as it goes (bounded: the snapshot has no
    // cycles, so each service is reached a bounded number of times).
    for (std::size_t k = 0; k < m->targets.size() && !handle.cancelled; ++k) {
        const runtime::mirror_target t = m->targets[k];
        if (m->has_body && t.via->mirror_body) {
            // Traefik's rule: a body over maxBodySize is not mirrored (the request itself was
            // served whole); nor is one the client did not send to its end, nor one not copied.
            const auto limit = t.via->max_body_size;
            if (!m->body_wanted || m->body.over || !body_complete ||
                (limit >= 0 && m->body.bytes.size() > static_cast<std::uint64_t>(limit))) {
                spdlog::debug("service {}: request not mirrored to {}: its body is {}", t.via->name, t.svc->name,
                              body_complete ? "larger than maxBodySize" : "incomplete");
                continue;
            }
        }
        co_await send_one(w, *m, t, handle);
    }
}

}  // namespace

std::unique_ptr<mirror_copy> copy_for_mirrors(const request_parser& parser, const request_view& view,
                                              std::shared_ptr<const runtime::snapshot> snapshot,
                                              runtime::mirror_list targets) {
    auto m = std::make_unique<mirror_copy>();
    const auto& req = parser.get();
    static_cast<request_head&>(m->head) = static_cast<const request_head&>(req);
    m->host_field = req[bhttp::field::host];
    m->client_ip = view.client_ip();
    m->routing_path = view.routing_path();
    m->host = view.host();
    m->has_body = !parser.is_done() || req.has_content_length() || req.chunked();
    // The largest maxBodySize of the mirroring services that copy bodies (-1: no limit; -2:
    // none copies them).
    std::int64_t limit = -2;
    for (const auto& t : targets) {
        if (!t.via->mirror_body || limit == -1) continue;
        limit = t.via->max_body_size < 0 ? -1 : std::max(limit, t.via->max_body_size);
    }
    m->body_wanted = m->has_body && !parser.is_done() && limit != -2;
    if (limit >= 0) {
        // A larger body is not kept whole: the copy is dropped as soon as it grows past.
        m->body.limit = static_cast<std::uint64_t>(limit);
        if (req.has_content_length() && parser.content_length() && *parser.content_length() > m->body.limit)
            m->body.over = true;
    }
    m->snapshot = std::move(snapshot);
    m->targets = std::move(targets);
    return m;
}

void send_mirrors(worker& w, std::unique_ptr<mirror_copy> copy, bool body_complete) noexcept {
    try {
        if (w.mirror_copies >= max_mirror_copies) {
            for (const auto& t : copy->targets)
                w.metrics.record({"", "", t.svc->name, "", copy->head.method_string(), 503}, {});
            spdlog::debug("{} request copies in flight on a worker: a request is not mirrored", w.mirror_copies);
            return;
        }
        // Counted before it runs; send_all counts it back when it ends.
        ++w.mirror_copies;
        try {
            net::co_spawn(w.ioc, send_all(w, std::move(copy), body_complete), log_escaped);
        } catch (...) {
            --w.mirror_copies;
            throw;
        }
    } catch (const std::exception& e) {
        spdlog::warn("a request could not be mirrored: {}", e.what());
    }
}

}  // namespace sluice::http
