#include "http/wire.hpp"

#include <charconv>

#include <boost/beast/http/status.hpp>

namespace sluice::http {

namespace {

void append(head_text& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

void append_version(head_text& out, unsigned version) {
    append(out, "HTTP/1.");
    out.push_back(version == 10 ? '0' : '1');
}

template <class Fields>
void append_fields(head_text& out, const Fields& fields) {
    for (const auto& f : fields) {
        append(out, f.name_string());
        append(out, ": ");
        append(out, f.value());
        append(out, "\r\n");
    }
    append(out, "\r\n");
}

}  // namespace

void write_head(head_text& out, const bhttp::request_header<>& req) {
    append(out, req.method_string());
    out.push_back(' ');
    append(out, req.target());
    out.push_back(' ');
    append_version(out, req.version());
    append(out, "\r\n");
    append_fields(out, req);
}

void write_head(head_text& out, const bhttp::response_header<>& res) {
    append_version(out, res.version());
    const unsigned status = res.result_int();
    const std::array<char, 4> code{static_cast<char>(' '), static_cast<char>('0' + status / 100 % 10),
                                   static_cast<char>('0' + status / 10 % 10), static_cast<char>('0' + status % 10)};
    append(out, std::string_view(code.data(), code.size()));
    out.push_back(' ');
    const std::string_view reason = res.reason();
    append(out, reason.empty() ? std::string_view(bhttp::obsolete_reason(res.result())) : reason);
    append(out, "\r\n");
    append_fields(out, res);
}

std::span<const net::const_buffer> body_framing::frame(std::string_view data, bool last) noexcept {
    std::size_t n = 0;
    if (!head_.empty()) buffers_[n++] = net::buffer(head_.data(), head_.size());
    head_ = {};
    if (!chunked_) {
        if (!data.empty()) buffers_[n++] = net::buffer(data.data(), data.size());
        return {buffers_.data(), n};
    }
    if (!data.empty()) {
        auto [end, ec] = std::to_chars(size_line_.data(), size_line_.data() + size_line_.size() - 2, data.size(), 16);
        *end++ = '\r';
        *end++ = '\n';
        buffers_[n++] = net::buffer(size_line_.data(), static_cast<std::size_t>(end - size_line_.data()));
        buffers_[n++] = net::buffer(data.data(), data.size());
        buffers_[n++] = net::buffer("\r\n", 2);
    }
    if (last) buffers_[n++] = net::buffer("0\r\n\r\n", 5);
    return {buffers_.data(), n};
}

}  // namespace sluice::http
