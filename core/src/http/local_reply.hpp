// The local_reply room: every answer the proxy writes itself (errors, a middleware's
// reply, 100 Continue), and the one rule that says whether the connection stays open.
#pragma once

#include <chrono>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "http/client_connection.hpp"
#include "http/messages.hpp"

namespace sluice::http {

namespace bhttp = boost::beast::http;

// May the connection carry another request after this answer? Only when the client asked
// for it, its request was read to the end (a body still arriving cannot be followed by
// another request), nothing forces a close, and the worker is not draining. The data path
// decides keep-alive here and nowhere else.
struct keep_alive_rule {
    bool client_wants = true;   // the request's own keep-alive (version and Connection)
    bool request_read = true;   // the whole request, body included, has been read
    bool draining = false;      // the worker is shutting down
    bool forced_close = false;  // the answer itself ends the connection (a broken request)

    bool allows() const noexcept { return client_wants && request_read && !draining && !forced_close; }
};

// A plain-text answer of the proxy's own (404, 502, ...), framed by Content-Length. The
// answer to a HEAD request (`head`) is the head alone, with the Content-Length a GET would
// get. Returns false when it could not be written.
template <class Stream>
boost::asio::awaitable<bool> send_text(client_connection<Stream>& c, unsigned status, std::string_view body,
                                       unsigned version, bool keep_alive, bool head = false);

// A reply a middleware built: the proxy supplies what it left out (status 200, framing).
template <class Stream>
boost::asio::awaitable<bool> send_reply(client_connection<Stream>& c, local_response& res,
                                        unsigned version, bool keep_alive, bool head = false);

// "HTTP/1.1 100 Continue", once the proxy commits to reading a body the client holds back.
template <class Stream>
boost::asio::awaitable<bool> send_continue(client_connection<Stream>& c);

// The text the proxy answers an upstream failure with.
inline std::string_view gateway_text(unsigned status) noexcept {
    return status == 504 ? "gateway timeout\n" : "bad gateway\n";
}

}  // namespace sluice::http
