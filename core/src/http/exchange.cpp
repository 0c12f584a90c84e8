#include "http/exchange.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "http/content_sniff.hpp"
#include "http/forwarding.hpp"
#include "http/server_selection.hpp"
#include "http/server.hpp"
#include "http/upstream_call.hpp"
#include "runtime/rule.hpp"

namespace sluice::http {

request_facts read_facts(const upstream_request& req) {
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

std::optional<refusal> check_head(const request_parser& parser, std::size_t max_header_count) {
    const auto& req = parser.get();
    if (std::distance(req.begin(), req.end()) > static_cast<std::ptrdiff_t>(max_header_count))
        return refusal{431, "too many header fields\n"};
    // Request smuggling guards: one length, and a transfer coding that really is chunked.
    if (req.count(bhttp::field::content_length) > 1 ||
        (req.find(bhttp::field::transfer_encoding) != req.end() && !parser.chunked()) ||
        (req.version() == 11 && req.count(bhttp::field::host) != 1) || req.count(bhttp::field::host) > 1)
        return refusal{400, "malformed request\n"};
    return std::nullopt;
}

template <class Stream>
exchange<Stream>::~exchange() {
    for (std::size_t i = 0; i < states_.size(); ++i) {
        const auto& object = route->chain[i]->object;
        if (states_[i] && object.ops()->end_request) object.ops()->end_request(object.get(), states_[i]);
    }
    // The request's own answer is out: its copies go now (not when the worker is ending it).
    if (composite && composite->mirror && !client.handle.cancelled)
        send_mirrors(client.w, std::move(composite->mirror), parser.is_done());
}

template <class Stream>
bool exchange<Stream>::run_response_hooks(response_view& rv) {
    if (std::exchange(response_hooks_ran_, true)) return true;
    for (std::size_t i = hooks_ran_; i-- > 0;) {
        const auto& object = route->chain[i]->object;
        if (!object.ops()->on_response) continue;
        if (object.ops()->on_response(object.get(), &*view, &rv, states_[i]) == SLUICE_FAILED) return false;
    }
    return true;
}

template <class Stream>
net::awaitable<bool> exchange<Stream>::reply(unsigned status_code, std::string_view body, keep_alive_rule rule) {
    const bool keep = rule.allows();
    if (hooks_ran_ == 0 || response_hooks_ran_) {
        status = status_code;
        bytes = facts.is_head ? 0 : body.size();
        co_return co_await send_text(client, status_code, body, facts.version, keep, facts.is_head) && keep;
    }
    local_response res{static_cast<bhttp::status>(status_code), 11};
    res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res.body() = body;
    response_view rv(res, status_code);
    if (!run_response_hooks(rv)) co_return co_await reply(500, "internal server error\n", rule);
    status = res.result_int();
    bytes = facts.is_head ? 0 : res.body().size();
    co_return co_await send_reply(client, res, facts.version, keep, facts.is_head) && keep;
}

template <class Stream>
net::awaitable<bool> exchange<Stream>::run() {
    auto& req = parser.get();
    facts = read_facts(req);
    if (const auto r = admit()) {
        if (r->close) co_return co_await refuse(r->status, r->text);
        co_return co_await reply(r->status, r->text);
    }
    // Forwarding headers are settled before routing, so rules and middlewares see what the
    // upstream will see (and a middleware's X-Forwarded-Prefix survives). Hop-by-hop fields
    // go first: a client listing X-Forwarded-For in Connection cannot remove the proxy's own.
    strip_hop_by_hop(req, facts.upgrade);
    set_forwarded_headers(req, {client.ip, client.trusted, facts.websocket, client.w.ctx.hostname});

    std::string host = runtime::canonical_host(req[bhttp::field::host]);
    snapshot = client.w.snapshots.get();
    const runtime::route_table* table = snapshot->table(client.ep.name);
    route = table ? table->match({host, target.routing_path, req.method_string(), target.query(), client.ip, &req})
                  : nullptr;
    if (!route) co_return co_await reply(404, "404 page not found\n");
    view.emplace(req, client.ip, target.routing_path, std::move(host));
    local_reply_builder built;
    if (run_request_hooks(built)) co_return co_await answer_for_middleware(built);

    // Forward: the picker proposes, a server that could not take the request is excluded and
    // another one tried. (Here rather than in a function of its own: one coroutine frame
    // fewer per request.)
    const std::int64_t started_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(started.time_since_epoch()).count();
    prepare_upstream_head();
    const runtime::service& svc =
        route->target->needs_choices ? resolve_composites(started_ms) : route->target->resolve(started_ms);
    // Requests sent again after a server took them and failed to answer (idempotent only).
    std::size_t resent = 0;
    const std::size_t retries = std::min<std::size_t>(svc.retries, server_selection::max_failures - 1);
    server_selection selection(svc, started_ms);
    for (;;) {
        // The picker's on_attempt hears of the attempts on servers it chose, no others.
        bool chosen = true;
        const std::int32_t index = pick_server(svc, *view, selection, chosen);
        if (index < 0) {
            if (selection.failures() == 0) co_return co_await reply(503, "no available server\n");
            // Every server tried failed: report the last failure.
            co_return co_await reply(status, gateway_text(status));
        }
        server = &svc.servers[static_cast<std::size_t>(index)];
        // A server that could not be reached saw nothing: as nginx does, any request then goes
        // to the next server, while untried ones remain (at most max_failures).
        const retry_policy policy{selection.failures() + 1 < server_selection::max_failures,
                                  facts.idempotent && resent < retries};
        const outcome o = co_await upstream_call<Stream>::attempt(*this, svc, index, policy, chosen);
        if (o != outcome::redial && o != outcome::resend) co_return o == outcome::keep_alive;
        if (o == outcome::resend) ++resent;
        selection.fail(index);
    }
}

template <class Stream>
std::optional<refusal> exchange<Stream>::admit() {
    auto& req = parser.get();
    if (auto r = check_head(parser, client.ep.max_header_count)) return r;
    if (!parse_request_target(req.target(), target)) return refusal{400, "malformed request target\n"};
    if (target.form == target_form::asterisk) {
        // As Go's server (and so Traefik) answers it.
        if (req.method() == bhttp::verb::options) return refusal{200, "", false};
        return refusal{400, "malformed request target\n"};
    }
    if (req.method() == bhttp::verb::connect) return refusal{501, "CONNECT is not supported\n"};
    if (target.form == target_form::authority) return refusal{400, "malformed request target\n"};
    // An absolute-form target's host overrides the Host field (RFC 9112 3.2.2).
    if (!target.authority.empty()) req.set(bhttp::field::host, target.authority);
    if (target.rewritten) {
        received_target = req.target();
        req.target(target.forward_target);
    }
    return std::nullopt;
}

template <class Stream>
bool exchange<Stream>::run_request_hooks(local_reply_builder& built) {
    const auto& chain = route->chain;
    if (chain.empty()) return false;
    states_.assign(chain.size(), nullptr);
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const auto& object = chain[i]->object;
        const std::uint32_t v = object.ops()->on_request(object.get(), &*view, &built, &states_[i]);
        if (v == SLUICE_PROCEED) {
            hooks_ran_ = i + 1;
            continue;
        }
        // A middleware that answered sees its own answer; one that failed does not.
        failed_hook_ = v != SLUICE_RESPOND;
        if (!failed_hook_) hooks_ran_ = i + 1;
        return true;
    }
    return false;
}

template <class Stream>
net::awaitable<bool> exchange<Stream>::answer_for_middleware(local_reply_builder& built) {
    // A plugin's fault (it reported it) answers this request only; the hooks that ran see the 500.
    if (failed_hook_) co_return co_await reply(500, "internal server error\n");
    auto& res = built.message;
    if (res.result_int() == 0) res.result(bhttp::status::ok);
    response_view rv(res, res.result_int());
    if (!run_response_hooks(rv)) co_return co_await reply(500, "internal server error\n");
    if (rv.names_type_from_body() && !res.body().empty())
        res.set(bhttp::field::content_type, sniff_content_type(res.body()));
    status = res.result_int();
    bytes = facts.is_head ? 0 : res.body().size();
    const bool keep = keep_alive(true).allows();
    co_return co_await send_reply(client, res, facts.version, keep, facts.is_head) && keep;
}

template <class Stream>
const runtime::service& exchange<Stream>::resolve_composites(std::int64_t now_ms) {
    runtime::request_choices choices;
    choices.cookies = parser.get()[bhttp::field::cookie];
    const runtime::service& svc = route->target->resolve(now_ms, &choices);
    // A tunnel (an Upgrade) is not a request a mirror could answer.
    if (facts.upgrade) choices.mirrors.clear();
    if (choices.set_cookies.empty() && choices.mirrors.empty()) return svc;
    composite = std::make_unique<composite_outcome>();
    composite->set_cookies = std::move(choices.set_cookies);
    if (!choices.mirrors.empty())
        composite->mirror = copy_for_mirrors(parser, *view, snapshot, std::move(choices.mirrors));
    return svc;
}

// Rewrites the request head for the upstream once; retries send the same head.
template <class Stream>
void exchange<Stream>::prepare_upstream_head() {
    auto& req = parser.get();
    // The proxy answers Expect itself, once it commits to reading the body.
    req.erase(bhttp::field::expect);
    if (parser.chunked()) req.chunked(true);
    req.version(11);
}

template class exchange<tcp_connection>;

}  // namespace sluice::http
