// The head writer against Beast's own serializer, and the body framing as a table.
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

#include "http/wire.hpp"

namespace sluice::http {
namespace {

template <bool isRequest>
std::string beast_text(const bhttp::message<isRequest, bhttp::empty_body, fields>& m) {
    std::ostringstream out;
    out << m.base();  // the head alone
    return out.str();
}

std::string text(const head_text& h) { return {h.data(), h.size()}; }

// A body piece as the parser hands it over (none for no bytes).
std::vector<net::const_buffer> pieces(std::string_view data) {
    if (data.empty()) return {};
    return {net::buffer(data.data(), data.size())};
}

std::string joined(std::span<const net::const_buffer> buffers) {
    std::string s;
    for (const auto& b : buffers) s.append(static_cast<const char*>(b.data()), b.size());
    return s;
}

TEST(write_head, writes_a_request_head_as_beast_does) {
    std::vector<bhttp::request<bhttp::empty_body, fields>> rows;
    rows.emplace_back(bhttp::verb::get, "/", 11);
    rows.back().set(bhttp::field::host, "demo.localhost");
    rows.emplace_back(bhttp::verb::post, "/api/x?y=1%20z", 11);
    rows.back().set(bhttp::field::host, "a");
    rows.back().set("X-Custom", "v, w");
    rows.back().insert("x-custom", "second");
    rows.back().chunked(true);
    rows.emplace_back(bhttp::verb::unknown, "*", 10);
    rows.back().method_string("PURGE");
    for (const auto& req : rows) {
        head_text out;
        write_head(out, req);
        EXPECT_EQ(text(out), beast_text(req));
    }
}

TEST(write_head, writes_a_response_head_as_beast_does) {
    std::vector<bhttp::response<bhttp::empty_body, fields>> rows;
    rows.emplace_back(bhttp::status::ok, 11);
    rows.back().set(bhttp::field::content_length, "5");
    rows.emplace_back(bhttp::status::not_found, 10);
    rows.back().reason("Nowhere To Be Seen");  // the server's own phrase is kept
    rows.emplace_back(static_cast<bhttp::status>(599), 11);  // no standard phrase
    rows.back().set(bhttp::field::server, "x");
    for (const auto& res : rows) {
        head_text out;
        write_head(out, res);
        EXPECT_EQ(text(out), beast_text(res));
    }
}

TEST(write_head, takes_a_block_of_the_thread_and_a_big_head_from_the_heap) {
    bhttp::request<bhttp::empty_body, fields> req(bhttp::verb::get, "/", 11);
    req.set(bhttp::field::host, "demo.localhost");
    {
        head_text out;
        write_head(out, req);
    }
    // The text's block went back to the thread's lists, and the next head of that size
    // takes it again.
    const std::size_t kept = runtime::head_blocks::free_blocks();
    {
        head_text out;
        write_head(out, req);
        EXPECT_EQ(runtime::head_blocks::free_blocks(), kept - 1);
        EXPECT_EQ(text(out), beast_text(req));
    }
    req.set("X-Big", std::string(3 * relay_chunk, 'b'));
    head_text out;
    write_head(out, req);
    EXPECT_EQ(text(out), beast_text(req));
}

TEST(body_framing, frames_each_piece_and_leads_with_the_head) {
    struct row {
        bool chunked;
        std::string head;
        std::vector<std::pair<std::string, bool>> pieces;  // data, last
        std::vector<std::string> sent;                     // each write, joined
    };
    const std::vector<row> rows{
        {false, "H\r\n\r\n", {{"hello", true}}, {"H\r\n\r\nhello"}},
        {false, "", {{"ab", false}, {"c", true}}, {"ab", "c"}},
        {false, "", {{"ab", false}, {"", true}}, {"ab", ""}},
        {true, "H\r\n\r\n", {{"hello", true}}, {"H\r\n\r\n5\r\nhello\r\n0\r\n\r\n"}},
        {true, "", {{std::string(0x1a2b, 'x'), false}, {"", true}},
         {"1a2b\r\n" + std::string(0x1a2b, 'x') + "\r\n", "0\r\n\r\n"}},
        {true, "H\r\n\r\n", {{"", true}}, {"H\r\n\r\n0\r\n\r\n"}},
    };
    for (const auto& r : rows) {
        body_framing framing(r.chunked, std::span<const char>(r.head.data(), r.head.size()));
        std::vector<std::string> sent;
        for (const auto& [data, last] : r.pieces) sent.push_back(joined(framing.frame(pieces(data), last)));
        EXPECT_EQ(sent, r.sent) << "chunked=" << r.chunked << " head=" << r.head;
    }
}

TEST(body_framing, several_pieces_make_one_chunk) {
    const std::string a = "abc", b = "defgh";
    const std::vector<net::const_buffer> two{net::buffer(a), net::buffer(b)};
    body_framing chunked(true);
    EXPECT_EQ(joined(chunked.frame(two, false)), "8\r\nabcdefgh\r\n");
    body_framing raw(false);
    EXPECT_EQ(joined(raw.frame(two, true)), "abcdefgh");
}

TEST(body_framing, sends_the_head_alone_once) {
    const std::string head = "HTTP/1.1 200 OK\r\n\r\n";
    body_framing framing(true, std::span<const char>(head.data(), head.size()));
    EXPECT_EQ(joined(framing.flush_head()), head);
    EXPECT_TRUE(framing.flush_head().empty());
    EXPECT_EQ(joined(framing.frame(pieces("ab"), true)), "2\r\nab\r\n0\r\n\r\n");
}

}  // namespace
}  // namespace sluice::http
