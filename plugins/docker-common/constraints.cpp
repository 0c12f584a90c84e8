#include "constraints.hpp"

#include <cctype>
#include <stdexcept>
#include <vector>

#include <re2/re2.h>

namespace sluice::docker {

struct constraints::node {
    enum class kind { label, label_regex, negation, conjunction, disjunction } type;
    std::string key, value;
    std::shared_ptr<const RE2> regex;
    std::vector<std::shared_ptr<const node>> operands;

    bool matches(const std::map<std::string, std::string>& labels) const {
        const auto label = [&]() -> std::string_view {
            const auto it = labels.find(key);
            return it == labels.end() ? std::string_view() : std::string_view(it->second);
        };
        switch (type) {
            case kind::label: return label() == value;
            case kind::label_regex: return RE2::PartialMatch(label(), *regex);
            case kind::negation: return !operands[0]->matches(labels);
            case kind::conjunction:
                for (const auto& o : operands)
                    if (!o->matches(labels)) return false;
                return true;
            case kind::disjunction:
                for (const auto& o : operands)
                    if (o->matches(labels)) return true;
                return false;
        }
        return false;
    }
};

namespace {

using node_ptr = std::shared_ptr<const constraints::node>;
using kind = constraints::node::kind;

// Recursive descent: or := and ('||' and)*; and := unary ('&&' unary)*;
// unary := '!' unary | '(' or ')' | name '(' string, string ')'.
class parser {
public:
    explicit parser(std::string_view text) : text_(text) {}

    node_ptr expression() {
        node_ptr n = disjunction();
        skip_space();
        if (at_ < text_.size()) fail("unexpected \"" + std::string(text_.substr(at_, 12)) + "\"");
        return n;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::invalid_argument("at " + std::to_string(at_ + 1) + ": " + what);
    }
    void skip_space() {
        while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
    }
    bool take(std::string_view token) {
        skip_space();
        if (text_.substr(at_, token.size()) != token) return false;
        at_ += token.size();
        return true;
    }

    node_ptr combine(kind k, node_ptr (parser::*operand)(), std::string_view op) {
        std::vector<node_ptr> operands{(this->*operand)()};
        while (take(op)) operands.push_back((this->*operand)());
        if (operands.size() == 1) return operands[0];
        auto n = std::make_shared<constraints::node>();
        n->type = k;
        n->operands = std::move(operands);
        return n;
    }
    node_ptr disjunction() { return combine(kind::disjunction, &parser::conjunction, "||"); }
    node_ptr conjunction() { return combine(kind::conjunction, &parser::unary, "&&"); }

    node_ptr unary() {
        // Bounded: an expression nested this deep is a mistake, and recursing on would not end well.
        if (++depth_ > max_depth) fail("nested more than " + std::to_string(max_depth) + " levels deep");
        struct leave {
            int& depth;
            ~leave() { --depth; }
        } on_return{depth_};
        if (take("!")) {
            auto n = std::make_shared<constraints::node>();
            n->type = kind::negation;
            n->operands.push_back(unary());
            return n;
        }
        if (take("(")) {
            node_ptr inner = disjunction();
            if (!take(")")) fail("expected \")\"");
            return inner;
        }
        return call();
    }

    node_ptr call() {
        skip_space();
        const std::size_t start = at_;
        while (at_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[at_]))) ++at_;
        const std::string name(text_.substr(start, at_ - start));
        if (name.empty()) {
            if (at_ >= text_.size()) fail("expected Label(...) or LabelRegex(...), found the end");
            fail("expected Label(...) or LabelRegex(...)");
        }
        if (name != "Label" && name != "LabelRegex") {
            at_ = start;
            fail("unknown function \"" + name + "\" (Label or LabelRegex)");
        }
        if (!take("(")) fail("expected \"(\" after " + name);
        std::vector<std::string> args;
        if (!take(")")) {
            do args.push_back(string());
            while (take(","));
            if (!take(")")) fail("expected \")\" or \",\"");
        }
        if (args.size() != 2) {
            at_ = start;
            fail(name + " takes 2 arguments (the label's name and " +
                 (name == "Label" ? "its value" : "a regular expression") + "), not " + std::to_string(args.size()));
        }
        auto n = std::make_shared<constraints::node>();
        n->key = args[0];
        if (name == "Label") {
            n->type = kind::label;
            n->value = args[1];
        } else {
            n->type = kind::label_regex;
            auto re = std::make_shared<RE2>(args[1], RE2::Quiet);
            if (!re->ok()) fail("invalid regular expression \"" + args[1] + "\": " + re->error());
            n->regex = std::move(re);
        }
        return n;
    }

    // `raw` or "with \" and \\ escapes".
    std::string string() {
        skip_space();
        if (at_ >= text_.size() || (text_[at_] != '`' && text_[at_] != '"')) fail("expected a string in ` or \"");
        const char quote = text_[at_++];
        std::string out;
        while (at_ < text_.size() && text_[at_] != quote) {
            // In "...", \" and \\ are a quote and a backslash; other backslashes stay (regexes).
            if (quote == '"' && text_[at_] == '\\' && at_ + 1 < text_.size() &&
                (text_[at_ + 1] == '"' || text_[at_ + 1] == '\\'))
                ++at_;
            out += text_[at_++];
        }
        if (at_ >= text_.size()) fail("unterminated string");
        ++at_;
        return out;
    }

    static constexpr int max_depth = 64;
    std::string_view text_;
    std::size_t at_ = 0;
    int depth_ = 0;
};

}  // namespace

constraints constraints::parse(std::string_view expression) {
    constraints c;
    bool blank = true;
    for (char ch : expression) blank = blank && std::isspace(static_cast<unsigned char>(ch));
    if (!blank) c.root_ = parser(expression).expression();
    return c;
}

bool constraints::matches(const std::map<std::string, std::string>& labels) const {
    return !root_ || root_->matches(labels);
}

}  // namespace sluice::docker
