// The message types of the data path: Beast's, over runtime::fields (head memory recycled
// per thread).
#pragma once

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "runtime/fields.hpp"

namespace sluice::http {

namespace bhttp = boost::beast::http;

using fields = runtime::fields;
using head_allocator = runtime::head_allocator<char>;
using request_head = bhttp::header<true, fields>;
using response_head = bhttp::header<false, fields>;
using upstream_request = bhttp::request<bhttp::buffer_body, fields>;
using upstream_response = bhttp::response<bhttp::buffer_body, fields>;
template <bool isRequest>
using body_parser = bhttp::parser<isRequest, bhttp::buffer_body, head_allocator>;
using request_parser = body_parser<true>;
using response_parser = body_parser<false>;
// An answer of the proxy's own or a middleware's, body in memory.
using local_response = bhttp::response<bhttp::string_body, fields>;

}  // namespace sluice::http
