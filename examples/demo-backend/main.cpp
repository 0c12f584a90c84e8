// demo-backend: a small HTTP server for the quick start, the tests and the benchmarks.
//   /            an HTML page naming the instance
//   /api/...     JSON: instance, hostname, method, path as received, request headers
//                (any other path answers the same way)
//   /health      200 "ok" (or the status set with /health/set/NNN, to act unhealthy)
//   /login?user=NAME, /logout, /whoami
//                a session kept in this instance's memory (cookie demo_session)
//   /bytes/N     N bytes, streamed
//   /echo        the request body, streamed back
//   /delay/MS    answers after MS milliseconds
// --latency MS adds MS milliseconds before every answer (a slow replica, for benchmarks).
#include <unistd.h>

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <charconv>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto nothrow = net::as_tuple(net::use_awaitable);
constexpr std::size_t chunk_size = 16 * 1024;

// Sessions live in one instance's memory: without sticky routing, another instance does
// not know them.
class session_store {
public:
    std::string login(const std::string& user) {
        std::lock_guard lock(mutex_);
        if (sessions_.size() >= 10000) sessions_.erase(sessions_.begin());  // bounded
        std::string id;
        for (int i = 0; i < 16; ++i) id += "0123456789abcdef"[rng_() % 16];
        sessions_[id] = user;
        return id;
    }
    void logout(const std::string& id) {
        std::lock_guard lock(mutex_);
        sessions_.erase(id);
    }
    std::optional<std::string> user(const std::string& id) {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(id);
        if (it == sessions_.end()) return std::nullopt;
        return it->second;
    }

private:
    std::mutex mutex_;
    std::map<std::string, std::string> sessions_;
    std::mt19937_64 rng_{std::random_device{}()};
};

struct settings {
    std::string name;  // default: the host name (the container ID in a container)
    bool api_mode = false;  // "/" answers JSON too (behind a stripped prefix)
    std::string host = "127.0.0.1";
    unsigned short port = 8080;
    unsigned threads = 1;
    std::chrono::milliseconds latency{0};  // added before every answer: a slow replica
    std::string hostname;
    std::atomic<unsigned> health_status{200};
    session_store sessions;
};

std::string cookie(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=')
            return std::string(pair.substr(name.size() + 1));
        if (semi == std::string_view::npos) break;
        header.remove_prefix(semi + 1);
    }
    return {};
}

// A decoded query parameter, through Boost.URL (given a terminated string).
std::string query_param(const std::string& target, std::string_view key) {
    const auto q = target.find('?');
    if (q == std::string::npos) return {};
    const std::string query = target.substr(q + 1);
    auto params = boost::urls::parse_query(query);
    if (!params) return {};
    for (auto param : *params)
        if (param.key.decode() == key) return param.has_value ? param.value.decode() : std::string();
    return {};
}

std::string session_json(const settings& s, const std::optional<std::string>& user) {
    boost::json::object o{{"instance", s.name}, {"hostname", s.hostname}};
    if (user) o["user"] = *user;
    else o["user"] = nullptr;
    return boost::json::serialize(o) + "\n";
}

// The demo page: who served it, live reloading, the dynamic API and the session demo.
std::string page(const settings& s) {
    std::string html = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sluice demo</title>
<style>
body{font:15px system-ui,sans-serif;max-width:760px;margin:24px auto;color:#1d2733}
h1{font-size:22px}section{border:1px solid #d6dde4;border-radius:8px;padding:12px 16px;margin:12px 0}
button{font:inherit;padding:4px 12px;margin-right:6px}code{background:#eef2f5;padding:1px 4px;border-radius:3px}
li{margin:2px 0}#instance{color:#0a5ea8}
</style></head><body>
<h1>Served by <span id="instance">@NAME@</span> <small>(host @HOST@)</small></h1>
<section><b>Reload:</b> <span id="reload-state"></span>
 <button id="reload-toggle">Stop reloading</button></section>
<section><b>Dynamic API</b> (round robin over its replicas)<br>
 <button id="fetch">Fetch dynamic</button><ol id="answers"></ol></section>
<section><b>Session</b> (kept in one instance's memory; sticky routing keeps it)<br>
 <input id="user" value="alice" size="10"> <button id="login">Log in</button>
 <button id="logout">Log out</button> <button id="whoami">Who am I?</button>
 <ol id="sessions"></ol></section>
<script>
const stopped = () => localStorage.getItem('sluice-demo-stop') === '1';
function showReload() {
  document.getElementById('reload-state').textContent = stopped() ? 'stopped' : 'every second';
  document.getElementById('reload-toggle').textContent = stopped() ? 'Start reloading' : 'Stop reloading';
}
document.getElementById('reload-toggle').onclick = () => {
  localStorage.setItem('sluice-demo-stop', stopped() ? '0' : '1'); showReload(); };
showReload();
setInterval(() => { if (!stopped()) location.reload(); }, 1000);
function add(list, text) { const li = document.createElement('li'); li.textContent = text;
  document.getElementById(list).appendChild(li); }
document.getElementById('fetch').onclick = async () => {
  try { const r = await fetch('/api/'); const j = await r.json(); add('answers', j.instance); }
  catch (e) { add('answers', 'error: ' + e); } };
async function session(path) {
  try { const r = await fetch('/session/' + path); const j = await r.json();
    add('sessions', `${path.split('?')[0]}: ${j.instance} says user = ${j.user ?? '(nobody)'}`); }
  catch (e) { add('sessions', 'error: ' + e); } }
document.getElementById('login').onclick = () =>
  session('login?user=' + encodeURIComponent(document.getElementById('user').value));
document.getElementById('logout').onclick = () => session('logout');
document.getElementById('whoami').onclick = () => session('whoami');
</script></body></html>
)html";
    for (const auto& [key, value] : {std::pair<std::string, std::string>{"@NAME@", s.name}, {"@HOST@", s.hostname}})
        for (std::size_t at; (at = html.find(key)) != std::string::npos;) html.replace(at, key.size(), value);
    return html;
}

std::string api_json(const settings& s, const http::request_header<>& req) {
    boost::json::object headers;
    for (const auto& f : req) {
        auto& slot = headers[f.name_string()];
        if (slot.is_string()) slot = std::string(slot.as_string()) + ", " + std::string(f.value());
        else slot = f.value();
    }
    boost::json::object o{{"instance", s.name},
                          {"hostname", s.hostname},
                          {"method", req.method_string()},
                          {"path", req.target()},
                          {"headers", headers}};
    return boost::json::serialize(o) + "\n";
}

std::uint64_t number_after(std::string_view target, std::string_view prefix) {
    std::uint64_t n = 0;
    const std::string_view digits = target.substr(prefix.size());
    std::from_chars(digits.data(), digits.data() + digits.size(), n);
    return n;
}

net::awaitable<bool> drain_body(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                http::request_parser<http::buffer_body>& p) {
    std::array<char, chunk_size> scratch;
    while (!p.is_done()) {
        p.get().body().data = scratch.data();
        p.get().body().size = scratch.size();
        auto [ec, n] = co_await http::async_read_some(stream, buffer, p, nothrow);
        if (ec && ec != http::error::need_buffer) co_return false;
    }
    co_return true;
}

net::awaitable<bool> send(beast::tcp_stream& stream, http::response<http::string_body>& res) {
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, res, nothrow);
    co_return !ec;
}

// Streams the request body back as the response body.
net::awaitable<bool> echo(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                          http::request_parser<http::buffer_body>& p, bool keep_alive) {
    if (p.get()[http::field::expect] == "100-continue") {
        http::response<http::empty_body> cont{http::status::continue_, 11};
        auto [ec, n] = co_await http::async_write(stream, cont, nothrow);
        if (ec) co_return false;
    }
    http::response<http::buffer_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/octet-stream");
    if (auto length = p.content_length()) res.content_length(*length);
    else if (!p.is_done()) res.chunked(true);
    else res.content_length(0);
    res.keep_alive(keep_alive);
    http::response_serializer<http::buffer_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(stream, sr, nothrow);
    if (hec) co_return false;
    std::array<char, chunk_size> data;
    while (!p.is_done()) {
        p.get().body().data = data.data();
        p.get().body().size = data.size();
        auto [ec, n] = co_await http::async_read_some(stream, buffer, p, nothrow);
        if (ec && ec != http::error::need_buffer) co_return false;
        const std::size_t got = data.size() - p.get().body().size;
        if (got == 0 && !p.is_done()) continue;
        res.body().data = got > 0 ? data.data() : nullptr;  // none at all ends a chunked body cleanly
        res.body().size = got;
        res.body().more = !p.is_done();
        auto [wec, wn] = co_await http::async_write(stream, sr, nothrow);
        if (wec && wec != http::error::need_buffer) co_return false;
    }
    co_return true;
}

net::awaitable<bool> send_bytes(beast::tcp_stream& stream, std::uint64_t total, bool keep_alive) {
    static const std::string block(chunk_size, 'x');
    http::response<http::buffer_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/octet-stream");
    res.content_length(total);
    res.keep_alive(keep_alive);
    http::response_serializer<http::buffer_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(stream, sr, nothrow);
    if (hec) co_return false;
    std::uint64_t left = total;
    while (left > 0) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, block.size()));
        res.body().data = const_cast<char*>(block.data());
        res.body().size = n;
        left -= n;
        res.body().more = left > 0;
        auto [ec, written] = co_await http::async_write(stream, sr, nothrow);
        if (ec && ec != http::error::need_buffer) co_return false;
    }
    co_return true;
}

net::awaitable<void> session(tcp::socket socket, settings& s) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::buffer_body> p;
        p.body_limit(std::numeric_limits<std::uint64_t>::max());
        stream.expires_after(std::chrono::minutes(2));
        auto [ec, n] = co_await http::async_read_header(stream, buffer, p, nothrow);
        if (ec) break;
        stream.expires_never();
        const auto& req = p.get();
        const bool keep_alive = req.keep_alive();
        const std::string target(req.target());
        bool ok = true;
        if (target == "/echo") {
            ok = co_await echo(stream, buffer, p, keep_alive);
        } else {
            if (!co_await drain_body(stream, buffer, p)) break;
            if (s.latency.count() > 0) {
                net::steady_timer t(stream.get_executor(), s.latency);
                co_await t.async_wait(nothrow);
            }
            if (target.starts_with("/bytes/")) {
                ok = co_await send_bytes(stream, number_after(target, "/bytes/"), keep_alive);
            } else {
                http::response<http::string_body> res{http::status::ok, req.version()};
                res.keep_alive(keep_alive);
                res.set("X-Instance", s.name);
                if (target.starts_with("/delay/")) {
                    net::steady_timer t(stream.get_executor(), std::chrono::milliseconds(number_after(target, "/delay/")));
                    co_await t.async_wait(nothrow);
                    res.body() = "done\n";
                } else if (target == "/health") {
                    res.result(s.health_status.load());
                    res.body() = res.result_int() < 400 ? "ok\n" : "unhealthy\n";
                } else if (target.starts_with("/health/set/")) {
                    s.health_status = static_cast<unsigned>(number_after(target, "/health/set/"));
                    res.body() = "health status set\n";
                } else if (target.starts_with("/login")) {
                    std::string user = query_param(target, "user");
                    if (user.empty()) user = "guest";
                    const std::string id = s.sessions.login(user);
                    res.set(http::field::set_cookie, "demo_session=" + id + "; Path=/; HttpOnly");
                    res.set(http::field::content_type, "application/json");
                    res.body() = session_json(s, user);
                } else if (target.starts_with("/logout")) {
                    s.sessions.logout(cookie(req[http::field::cookie], "demo_session"));
                    res.set(http::field::set_cookie, "demo_session=; Path=/; Max-Age=0");
                    res.set(http::field::content_type, "application/json");
                    res.body() = session_json(s, std::nullopt);
                } else if (target.starts_with("/whoami")) {
                    res.set(http::field::content_type, "application/json");
                    res.body() = session_json(s, s.sessions.user(cookie(req[http::field::cookie], "demo_session")));
                } else if (!s.api_mode && (target == "/" || target.starts_with("/?"))) {
                    res.set(http::field::content_type, "text/html; charset=utf-8");
                    res.body() = page(s);
                } else {
                    // /api/... and every other path: what the instance received, as JSON.
                    res.set(http::field::content_type, "application/json");
                    res.body() = api_json(s, req);
                }
                if (req.method() == http::verb::head) {
                    res.prepare_payload();
                    http::response_serializer<http::string_body> sr{res};
                    auto [hec, hn] = co_await http::async_write_header(stream, sr, nothrow);
                    ok = !hec;
                } else {
                    ok = co_await send(stream, res);
                }
            }
        }
        if (!ok || !keep_alive) break;
    }
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

net::awaitable<void> listen(tcp::acceptor& acceptor, settings& s) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(nothrow);
        if (ec) co_return;
        socket.set_option(tcp::no_delay(true), ec);
        net::co_spawn(acceptor.get_executor(), session(std::move(socket), s), net::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (arg == "--help") {
            std::cout << "demo-backend [--port N] [--name NAME] [--host ADDRESS] [--threads N] [--mode page|api]\n"
                         "             [--latency MS]\n"
                         "Prints \"listening on HOST:PORT\" once ready (--port 0 picks a free port).\n"
                         "--name defaults to the host name; --mode api answers JSON on / as well;\n"
                         "--latency adds MS milliseconds before every answer (a slow replica).\n";
            return 0;
        }
        if (!v) {
            std::cerr << "demo-backend: " << arg << " needs a value (see --help)\n";
            return 2;
        }
        if (arg == "--port") s.port = static_cast<unsigned short>(std::stoi(v));
        else if (arg == "--name") s.name = v;
        else if (arg == "--host") s.host = v;
        else if (arg == "--threads") s.threads = std::max(1, std::stoi(v));
        else if (arg == "--latency") s.latency = std::chrono::milliseconds(std::max(0, std::stoi(v)));
        else if (arg == "--mode" && (std::string_view(v) == "api" || std::string_view(v) == "page")) s.api_mode = std::string_view(v) == "api";
        else {
            std::cerr << "demo-backend: unknown argument " << arg << " (see --help)\n";
            return 2;
        }
        ++i;
    }
    char hostname[256] = {};
    ::gethostname(hostname, sizeof(hostname) - 1);
    s.hostname = hostname;
    if (s.name.empty()) s.name = s.hostname;
    net::io_context ioc;
    tcp::acceptor acceptor(ioc);
    try {
        tcp::endpoint endpoint(net::ip::make_address(s.host), s.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(net::socket_base::max_listen_connections);
    } catch (const std::exception& e) {
        std::cerr << "demo-backend: cannot listen on " << s.host << ":" << s.port << ": " << e.what() << "\n";
        return 1;
    }
    std::cout << "listening on " << s.host << ":" << acceptor.local_endpoint().port() << std::endl;
    // Graceful stop: refuse new connections at once, finish what is in flight, then exit.
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    net::steady_timer grace(ioc);
    signals.async_wait([&](auto, int) {
        boost::system::error_code ec;
        acceptor.close(ec);
        grace.expires_after(std::chrono::milliseconds(500));
        grace.async_wait([&](auto) { ioc.stop(); });
    });
    net::co_spawn(ioc, listen(acceptor, s), net::detached);
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < s.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
}
