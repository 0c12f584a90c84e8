#include "http/wire.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace sluice::http {

namespace {

// Writes a head into `out` in one pass after sizing it once: no growth while writing.
class head_writer {
public:
    head_writer(head_text& out, std::size_t size) : out_(out), at_(0) {
        out.clear();
        out.reserve(size);
        out.resize(size);
    }
    ~head_writer() { out_.resize(at_); }
    head_writer(const head_writer&) = delete;
    head_writer& operator=(const head_writer&) = delete;

    void put(std::string_view s) noexcept {
        std::memcpy(out_.data() + at_, s.data(), s.size());
        at_ += s.size();
    }
    void put(char c) noexcept { out_[at_++] = c; }

private:
    head_text& out_;
    std::size_t at_;
};

constexpr std::string_view http_1_0 = "HTTP/1.0", http_1_1 = "HTTP/1.1";

std::string_view version_text(unsigned version) noexcept { return version == 10 ? http_1_0 : http_1_1; }

template <class Fields>
std::size_t fields_size(const Fields& fields) noexcept {
    std::size_t n = 2;  // the empty line
    for (const auto& f : fields) n += f.name_string().size() + f.value().size() + 4;
    return n;
}

template <class Fields>
void put_fields(head_writer& w, const Fields& fields) noexcept {
    for (const auto& f : fields) {
        w.put(f.name_string());
        w.put(": ");
        w.put(f.value());
        w.put("\r\n");
    }
    w.put("\r\n");
}

}  // namespace

void write_head(head_text& out, const request_head& req) {
    const std::string_view method = req.method_string(), target = req.target();
    head_writer w(out, method.size() + target.size() + http_1_1.size() + 4 + fields_size(req));
    w.put(method);
    w.put(' ');
    w.put(target);
    w.put(' ');
    w.put(version_text(req.version()));
    w.put("\r\n");
    put_fields(w, req);
}

void write_head(head_text& out, const response_head& res) {
    const unsigned status = res.result_int();
    const std::string_view reason = res.reason();  // the standard phrase when the server gave none
    head_writer w(out, http_1_1.size() + 5 + reason.size() + 2 + fields_size(res));
    w.put(version_text(res.version()));
    w.put(' ');
    w.put(static_cast<char>('0' + status / 100 % 10));
    w.put(static_cast<char>('0' + status / 10 % 10));
    w.put(static_cast<char>('0' + status % 10));
    w.put(' ');
    w.put(reason);
    w.put("\r\n");
    put_fields(w, res);
}

std::span<const net::const_buffer> body_framing::frame(std::span<const net::const_buffer> pieces,
                                                       bool last) noexcept {
    std::size_t n = 0;
    if (!head_.empty()) buffers_[n++] = net::buffer(head_.data(), head_.size());
    head_ = {};
    const std::size_t size = net::buffer_size(pieces);
    if (!chunked_) {
        for (const auto& piece : pieces) buffers_[n++] = piece;
        return {buffers_.data(), n};
    }
    if (size > 0) {
        auto [end, ec] = std::to_chars(size_line_.data(), size_line_.data() + size_line_.size() - 2, size, 16);
        *end++ = '\r';
        *end++ = '\n';
        buffers_[n++] = net::buffer(size_line_.data(), static_cast<std::size_t>(end - size_line_.data()));
        for (const auto& piece : pieces) buffers_[n++] = piece;
        buffers_[n++] = net::buffer("\r\n", 2);
    }
    if (last) buffers_[n++] = net::buffer("0\r\n\r\n", 5);
    return {buffers_.data(), n};
}

}  // namespace sluice::http
