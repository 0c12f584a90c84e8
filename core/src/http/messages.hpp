// The message types of the data path: Beast's, over runtime::fields (head memory recycled
// per thread).
#pragma once

#include <cstddef>
#include <cstdint>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/container/static_vector.hpp>
#include <boost/optional/optional.hpp>

#include "runtime/fields.hpp"

namespace sluice::http {

namespace bhttp = boost::beast::http;

// A body the parser does not copy: each piece of it the parser finds is kept as a view into
// the bytes it was given (the connection's read buffer), and the relay writes the pieces
// from there. Chunk framing is the parser's to remove; at most `max_pieces` at a time, after
// which the parser stops with need_buffer until they are written and cleared.
struct view_body {
    static constexpr std::size_t max_pieces = 4;
    using value_type = boost::container::static_vector<boost::asio::const_buffer, max_pieces>;

    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(bhttp::header<isRequest, Fields>&, value_type& pieces) : pieces_(pieces) {}

        void init(const boost::optional<std::uint64_t>&, boost::system::error_code& ec) { ec = {}; }
        template <class ConstBuffers>
        std::size_t put(const ConstBuffers& buffers, boost::system::error_code& ec) {
            ec = {};
            std::size_t taken = 0;
            for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
                 ++it) {
                const boost::asio::const_buffer piece = *it;
                if (piece.size() == 0) continue;
                if (pieces_.size() == max_pieces) {
                    ec = bhttp::error::need_buffer;
                    break;
                }
                pieces_.push_back(piece);
                taken += piece.size();
            }
            return taken;
        }
        void finish(boost::system::error_code& ec) { ec = {}; }

    private:
        value_type& pieces_;
    };
};

using fields = runtime::fields;
using head_allocator = runtime::head_allocator<char>;
using request_head = bhttp::header<true, fields>;
using response_head = bhttp::header<false, fields>;
using upstream_request = bhttp::request<view_body, fields>;
using upstream_response = bhttp::response<view_body, fields>;
template <bool isRequest>
using body_parser = bhttp::parser<isRequest, view_body, head_allocator>;
using request_parser = body_parser<true>;
using response_parser = body_parser<false>;
// An answer of the proxy's own or a middleware's, body in memory.
using local_response = bhttp::response<bhttp::string_body, fields>;

}  // namespace sluice::http
