// The parser of Traefik v3's rule language: matchers joined by &&, || and !, with parentheses.
#include <algorithm>
#include <cctype>
#include <memory>

#include <re2/re2.h>

#include "config/config_error.hpp"
#include "runtime/rule.hpp"
#include "runtime/rule_literal.hpp"

namespace sluice::runtime {

namespace {

bool is_ascii(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

struct matcher_spec {
    std::string_view name;
    rule::op kind;
    std::size_t args;
};

constexpr matcher_spec matchers[] = {
    {"Host", rule::op::host, 1},           {"HostRegexp", rule::op::host_regexp, 1},
    {"Path", rule::op::path, 1},           {"PathPrefix", rule::op::path_prefix, 1},
    {"PathRegexp", rule::op::path_regexp, 1}, {"Method", rule::op::method, 1},
    {"Header", rule::op::header, 2},       {"HeaderRegexp", rule::op::header_regexp, 2},
    {"Query", rule::op::query, 2},         {"QueryRegexp", rule::op::query_regexp, 2},
    {"ClientIP", rule::op::client_ip, 1},
};

// Query(`key`) alone means the key is present with an empty value; QueryRegexp(`key`) too.
bool takes_one_or_two(const matcher_spec& spec) {
    return spec.kind == rule::op::query || spec.kind == rule::op::query_regexp;
}
bool accepts_arg_count(const matcher_spec& spec, std::size_t n) {
    if (takes_one_or_two(spec)) return n == 1 || n == 2;
    return n == spec.args;
}

// Traefik (pkg/rules NewParser) accepts a matcher name as written, all lower-case, all
// upper-case, and Title case of the lower-case form: PathPrefix, pathprefix, PATHPREFIX,
// Pathprefix. Nothing else (not HoSt, not PathPREFIX).
const matcher_spec* find_matcher(std::string_view name) {
    auto same = [&](std::string_view want, auto&& transform) {
        if (name.size() != want.size()) return false;
        for (std::size_t i = 0; i < name.size(); ++i)
            if (name[i] != transform(i, static_cast<unsigned char>(want[i]))) return false;
        return true;
    };
    auto lower = [](std::size_t, unsigned char c) { return static_cast<char>(std::tolower(c)); };
    auto upper = [](std::size_t, unsigned char c) { return static_cast<char>(std::toupper(c)); };
    auto title = [](std::size_t i, unsigned char c) { return static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c)); };
    for (const auto& m : matchers)
        if (name == m.name || same(m.name, lower) || same(m.name, upper) || same(m.name, title)) return &m;
    return nullptr;
}

}  // namespace

class rule_parser {
public:
    explicit rule_parser(std::string_view text) : text_(text) {}

    std::optional<rule> run(std::string& error) {
        rule r;
        out_ = &r;
        skip_space();
        if (pos_ == text_.size()) return fail(error, "the rule is empty");
        auto root = parse_or();
        if (root) {
            skip_space();
            if (pos_ != text_.size()) root = std::nullopt, set_error("unexpected \"" + std::string(text_.substr(pos_, 1)) + "\"");
        }
        if (!root) {
            error = error_;
            return std::nullopt;
        }
        r.root_ = *root;
        r.required_host_ = required_host(r, r.root_);
        return r;
    }

private:
    std::optional<rule> fail(std::string& error, std::string message) {
        set_error(std::move(message));
        error = error_;
        return std::nullopt;
    }
    void set_error(std::string message) {
        if (error_.empty()) error_ = "position " + std::to_string(pos_ + 1) + ": " + message;
    }
    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    bool eat(std::string_view token) {
        skip_space();
        if (text_.substr(pos_).starts_with(token)) {
            pos_ += token.size();
            return true;
        }
        return false;
    }
    std::uint32_t add(rule::node n) {
        out_->nodes_.push_back(std::move(n));
        return static_cast<std::uint32_t>(out_->nodes_.size() - 1);
    }

    std::optional<std::uint32_t> parse_or() {
        auto first = parse_and();
        if (!first) return std::nullopt;
        std::vector<std::uint32_t> kids{*first};
        while (eat("||")) {
            auto next = parse_and();
            if (!next) return std::nullopt;
            kids.push_back(*next);
        }
        return kids.size() == 1 ? kids[0] : add({rule::op::any_of, {}, nullptr, {}, std::move(kids)});
    }

    std::optional<std::uint32_t> parse_and() {
        auto first = parse_unary();
        if (!first) return std::nullopt;
        std::vector<std::uint32_t> kids{*first};
        while (eat("&&")) {
            auto next = parse_unary();
            if (!next) return std::nullopt;
            kids.push_back(*next);
        }
        return kids.size() == 1 ? kids[0] : add({rule::op::all_of, {}, nullptr, {}, std::move(kids)});
    }

    std::optional<std::uint32_t> parse_unary() {
        // Parsing and evaluation recurse per "!" and "(": a bound keeps a rule from a
        // container label from exhausting the stack.
        if (depth_ >= max_depth) {
            set_error("nested deeper than " + std::to_string(max_depth) + " levels of \"!\" and \"(\"");
            return std::nullopt;
        }
        struct nesting {
            int& depth;
            explicit nesting(int& d) : depth(++d) {}
            ~nesting() { --depth; }
        } level(depth_);
        if (eat("!")) {
            auto inner = parse_unary();
            if (!inner) return std::nullopt;
            return add({rule::op::negate, {}, nullptr, {}, {*inner}});
        }
        if (eat("(")) {
            auto inner = parse_or();
            if (!inner) return std::nullopt;
            if (!eat(")")) {
                set_error("expected \")\"");
                return std::nullopt;
            }
            return inner;
        }
        return parse_matcher();
    }

    std::optional<std::uint32_t> parse_matcher() {
        skip_space();
        const std::size_t start = pos_;
        while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        const std::string_view name = text_.substr(start, pos_ - start);
        if (name.empty()) {
            set_error(pos_ < text_.size() ? "expected a matcher such as Host(`example.com`)" : "unexpected end of rule");
            return std::nullopt;
        }
        const matcher_spec* spec = find_matcher(name);
        if (!spec) {
            pos_ = start;
            set_error("unknown matcher \"" + std::string(name) + "\"");
            return std::nullopt;
        }
        if (!eat("(")) {
            set_error("expected \"(\" after " + std::string(name));
            return std::nullopt;
        }
        std::vector<std::string> args;
        do {
            auto arg = parse_string();
            if (!arg) return std::nullopt;
            args.push_back(std::move(*arg));
        } while (eat(","));
        if (!eat(")")) {
            set_error("expected \")\"");
            return std::nullopt;
        }
        if (!accepts_arg_count(*spec, args.size())) {
            pos_ = start;
            set_error(std::string(spec->name) + " takes " +
                      (takes_one_or_two(*spec) ? std::string("1 or 2") : std::to_string(spec->args)) +
                      " argument(s), got " + std::to_string(args.size()));
            return std::nullopt;
        }
        return make_matcher(*spec, std::move(args), start);
    }

    std::optional<std::uint32_t> make_matcher(const matcher_spec& spec, std::vector<std::string> args, std::size_t at) {
        rule::node n{spec.kind, std::move(args), nullptr, {}, {}};
        auto fail_at = [&](std::string message) -> std::optional<std::uint32_t> {
            pos_ = at;
            set_error(std::string(spec.name) + ": " + message);
            return std::nullopt;
        };
        // Traefik refuses these outright; a host arrives in punycode (xn--...), never raw UTF-8.
        if ((spec.kind == rule::op::host || spec.kind == rule::op::host_regexp) && !is_ascii(n.args[0])) {
            pos_ = at;
            set_error("invalid value \"" + n.args[0] + "\" for " + std::string(spec.name) +
                      " matcher, non-ASCII characters are not allowed");
            return std::nullopt;
        }
        // QueryRegexp(`key`) is Query(`key`), as in Traefik.
        if (spec.kind == rule::op::query_regexp && n.args.size() == 1) {
            n.kind = rule::op::query;
            return add(std::move(n));
        }
        switch (spec.kind) {
            case rule::op::host:
                // Host(`*`) matches every request, with or without a Host (Traefik, as on TCP).
                if (n.args[0] != "*") n.args[0] = canonical_host(n.args[0]);
                break;
            case rule::op::method:
                for (char& c : n.args[0]) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                break;
            case rule::op::path:
            case rule::op::path_prefix:
                if (!n.args[0].starts_with('/')) return fail_at("must start with \"/\"");
                break;
            case rule::op::host_regexp:
            case rule::op::path_regexp:
            case rule::op::header_regexp:
            case rule::op::query_regexp: {
                // RE2: linear-time matching, no catastrophic backtracking on hostile input.
                auto re = std::make_shared<re2::RE2>(n.args.back(), re2::RE2::Quiet);
                if (!re->ok()) return fail_at("invalid regular expression: " + re->error());
                n.re = std::move(re);
                break;
            }
            case rule::op::client_ip: {
                const auto net = sdk::ip_network::parse(n.args[0]);
                if (!net) return fail_at("\"" + n.args[0] + "\" is not an IP address or CIDR range");
                n.networks.push_back(*net);
                break;
            }
            default: break;
        }
        return add(std::move(n));
    }

    std::optional<std::string> parse_string() {
        skip_space();
        if (pos_ >= text_.size() || (text_[pos_] != '`' && text_[pos_] != '"')) {
            set_error("expected a value in backticks or double quotes");
            return std::nullopt;
        }
        const char quote = text_[pos_];
        const auto end = quote == '"' ? go_string_end(text_, pos_) : text_.find(quote, pos_ + 1);
        if (end == std::string_view::npos) {
            set_error("unterminated value");
            return std::nullopt;
        }
        const std::string_view body = text_.substr(pos_ + 1, end - pos_ - 1);
        std::string value(body);
        if (quote == '"' && !unquote_go_string(body, value)) {
            set_error("invalid escape sequence in a double-quoted value (write it in backticks)");
            return std::nullopt;
        }
        if (value.empty()) {
            set_error("empty value");
            return std::nullopt;
        }
        pos_ = end + 1;
        return value;
    }

    // The exact host a match needs: a lone Host, or a Host among the terms of a top-level &&.
    static std::optional<std::string> required_host(const rule& r, std::uint32_t index) {
        const auto& n = r.nodes_[index];
        auto exact = [](const rule::node& m) { return m.kind == rule::op::host && m.args[0].find('*') == std::string::npos; };
        if (exact(n)) return n.args[0];
        if (n.kind == rule::op::all_of)
            for (auto k : n.kids)
                if (exact(r.nodes_[k])) return r.nodes_[k].args[0];
        return std::nullopt;
    }

    std::string_view text_;
    static constexpr int max_depth = 100;
    std::size_t pos_ = 0;
    int depth_ = 0;
    std::string error_;
    rule* out_ = nullptr;
};

std::optional<rule> rule::parse(std::string_view text, std::string& error) { return rule_parser(text).run(error); }

}  // namespace sluice::runtime
