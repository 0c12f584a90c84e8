// Router rules (operator-written, or from Docker labels of any container): the parser, and
// for the rules it accepts, their evaluation against a request made of the same bytes.
//
// Input, one item a line: the rule; then the Host header, the request target, the method,
// the client IP; then header fields as "Name: value". Missing lines are empty.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/fields.hpp>

#include <spdlog/spdlog.h>

#include "http/request_target.hpp"
#include "runtime/rule.hpp"

namespace {

using sluice::runtime::rule;

[[noreturn]] void finding(const char* what, std::string_view rule_text) {
    std::fprintf(stderr, "finding: %s\nrule: %.*s\n", what, static_cast<int>(rule_text.size()), rule_text.data());
    std::abort();
}

std::vector<std::string_view> lines_of(std::string_view bytes) {
    std::vector<std::string_view> lines;
    while (!bytes.empty() && lines.size() < 64) {
        const auto nl = bytes.find('\n');
        lines.push_back(bytes.substr(0, nl));
        if (nl == std::string_view::npos) break;
        bytes.remove_prefix(nl + 1);
    }
    return lines;
}

// Beast takes any bytes as a field; the parser in front of the rules never passes these.
bool is_token(std::string_view name) {
    if (name.empty()) return false;
    for (unsigned char c : name)
        if (c <= ' ' || c >= 0x7f || std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(c)) != std::string_view::npos)
            return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto lines = lines_of({reinterpret_cast<const char*>(data), size});
    auto line = [&](std::size_t i) { return i < lines.size() ? lines[i] : std::string_view(); };
    const std::string_view text = line(0);

    std::string error;
    const auto parsed = rule::parse(text, error);
    if (!parsed) {
        if (error.empty()) finding("a rejected rule without an error", text);
        return 0;
    }
    if (!error.empty()) finding("an accepted rule with an error", text);

    // The request, prepared as exchange::run prepares it.
    const std::string host = sluice::runtime::canonical_host(line(1));
    const std::string_view target = line(2);
    sluice::http::request_target rt;
    std::string path;
    std::string_view query;
    if (sluice::http::parse_request_target(target, rt)) {
        path = rt.routing_path;
        query = rt.query();
    } else {
        const auto question = target.find('?');
        path = std::string(target.substr(0, question));
        query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    }
    sluice::runtime::fields headers;
    for (std::size_t i = 5; i < lines.size(); ++i) {
        const auto colon = lines[i].find(':');
        if (colon == std::string_view::npos || !is_token(lines[i].substr(0, colon))) continue;
        std::string_view value = lines[i].substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (value.find('\r') != std::string_view::npos) continue;
        headers.insert(lines[i].substr(0, colon), value);
    }
    const sluice::runtime::route_input in{host, path, line(3), query, line(4), &headers};

    const bool matched = parsed->matches(in);
    if (parsed->matches(in) != matched) finding("a rule that changes its mind", text);
    // The route table indexes rules by their required host: a match elsewhere would be lost.
    if (matched && parsed->required_host() && *parsed->required_host() != host)
        finding("a match on a host other than the required one", text);

    // The grammar's algebra: a negated rule answers the opposite, a conjunction with itself the same.
    std::string negated_error;
    const auto negated = rule::parse("!(" + std::string(text) + ")", negated_error);
    if (!negated) finding("a rule that cannot be negated", text);
    if (negated->matches(in) == matched) finding("the negation of a rule answers the same", text);
    std::string both_error;
    const auto both = rule::parse("(" + std::string(text) + ") && (" + std::string(text) + ")", both_error);
    if (!both || both->matches(in) != matched) finding("a rule and itself disagree", text);
    return 0;
}
