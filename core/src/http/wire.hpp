// The bytes on the wire: a head written as HTTP/1.x text straight from its fields, and a
// body framed as it leaves (as it came, or in chunks), with a head not yet sent going out in
// the same write as the first body bytes. What Beast's generic serializer did, without its
// buffer-sequence machinery on every write.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include "http/chunk_pool.hpp"
#include "http/messages.hpp"

namespace sluice::http {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

// A head's text, in a block of the thread's head_blocks (up to 4 KiB; a larger head's from
// the heap).
using head_text = std::vector<char, runtime::head_allocator<char>>;

// Each write_head replaces what `out` held.
// "METHOD target HTTP/1.x", the fields in order, and the empty line.
void write_head(head_text& out, const request_head& req);
// "HTTP/1.x status reason" (the standard phrase when the message has none), the fields, the
// empty line.
void write_head(head_text& out, const response_head& res);

// How a body leaves the proxy.
class body_framing {
public:
    // `chunked`: each piece becomes a chunk, and the last chunk ends the body. `head`: a head
    // still to be written; it leads the first piece.
    explicit body_framing(bool chunked, std::span<const char> head = {}) noexcept : chunked_(chunked), head_(head) {}

    // The buffers that send `pieces` (at most view_body::max_pieces; one chunk together when
    // chunked), the whole of the body's rest when `last`. Valid until the next call. Empty when
    // there is nothing to send (a raw body's empty last piece).
    std::span<const net::const_buffer> frame(std::span<const net::const_buffer> pieces, bool last) noexcept;
    // The head alone, sent before any body byte has come (empty once sent).
    std::span<const net::const_buffer> flush_head() noexcept { return frame({}, false); }
    // Another head to lead the first piece, while none has been sent (a field named from the
    // body's first bytes).
    void replace_head(std::span<const char> head) noexcept { head_ = head; }

private:
    bool chunked_;
    std::span<const char> head_;
    std::array<char, 2 * sizeof(std::size_t) + 2> size_line_{};
    std::array<net::const_buffer, view_body::max_pieces + 4> buffers_{};
};

}  // namespace sluice::http
