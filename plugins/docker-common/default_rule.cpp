#include "default_rule.hpp"

#include <cctype>
#include <optional>
#include <vector>

#include "labels.hpp"

namespace sluice::docker {

namespace {

struct token {
    enum { word, field, text, pipe } type;
    std::string s;
};

std::optional<std::vector<token>> tokenize(std::string_view action) {
    std::vector<token> out;
    for (std::size_t i = 0; i < action.size();) {
        const char c = action[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '|') {
            out.push_back({token::pipe, "|"});
            ++i;
        } else if (c == '"' || c == '`') {
            const auto end = action.find(c, i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            out.push_back({token::text, std::string(action.substr(i + 1, end - i - 1))});
            i = end + 1;
        } else {
            std::size_t end = i;
            while (end < action.size() && !std::isspace(static_cast<unsigned char>(action[end])) && action[end] != '|')
                ++end;
            const std::string w(action.substr(i, end - i));
            out.push_back({w.starts_with('.') ? token::field : token::word, w});
            i = end;
        }
    }
    return out;
}

class evaluator {
public:
    explicit evaluator(const rule_model& m) : m_(m) {}

    std::optional<std::string> field(const std::string& f) {
        if (f == ".Name") return m_.name;
        if (f == ".ContainerName") return m_.container_name;
        error = "unknown field " + f + " (known: .Name, .ContainerName, .Labels)";
        return std::nullopt;
    }

    std::optional<std::string> arg(const token& t) {
        if (t.type == token::text) return t.s;
        if (t.type == token::field) return field(t.s);
        error = "unexpected \"" + t.s + "\"";
        return std::nullopt;
    }

    // One stage of a pipeline; `piped` is the previous stage's value.
    std::optional<std::string> stage(const std::vector<token>& ts, const std::optional<std::string>& piped) {
        if (ts.empty()) {
            error = "empty action";
            return std::nullopt;
        }
        if (ts[0].type != token::word) {
            if (ts.size() != 1 || piped) {
                error = "\"" + ts[0].s + "\" is not a function";
                return std::nullopt;
            }
            return arg(ts[0]);
        }
        const std::string& fn = ts[0].s;
        if (fn == "index") {
            if (ts.size() != 3 || ts[1].s != ".Labels" || ts[2].type != token::text || piped) {
                error = "index takes .Labels and a quoted label name";
                return std::nullopt;
            }
            if (!m_.labels) return std::string();
            const auto it = m_.labels->find(ts[2].s);
            return it != m_.labels->end() ? it->second : std::string();  // as Go: "" when absent
        }
        if (fn != "normalize" && fn != "lower" && fn != "upper") {
            error = "unknown function \"" + fn + "\" (known: normalize, lower, upper, index)";
            return std::nullopt;
        }
        std::optional<std::string> in = piped;
        if (ts.size() == 2 && !piped) in = arg(ts[1]);
        else if (ts.size() != 1 || !piped) {
            error = fn + " takes one argument";
            return std::nullopt;
        }
        if (!in) return std::nullopt;
        std::string v = *in;
        if (fn == "normalize") return normalize(v);
        for (char& c : v)
            c = static_cast<char>(fn == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                                : std::toupper(static_cast<unsigned char>(c)));
        return v;
    }

    std::optional<std::string> pipeline(const std::vector<token>& ts) {
        std::optional<std::string> value;
        std::vector<token> current;
        for (std::size_t i = 0; i <= ts.size(); ++i) {
            if (i < ts.size() && ts[i].type != token::pipe) {
                current.push_back(ts[i]);
                continue;
            }
            value = stage(current, value);
            if (!value) return std::nullopt;
            current.clear();
        }
        return value;
    }

    std::string error;

private:
    const rule_model& m_;
};

}  // namespace

expanded_rule expand_default_rule(std::string_view tpl, const rule_model& model) {
    expanded_rule out;
    evaluator ev(model);
    for (std::size_t at = 0; at < tpl.size();) {
        const auto open = tpl.find("{{", at);
        if (open == std::string_view::npos) {
            out.rule.append(tpl.substr(at));
            break;
        }
        out.rule.append(tpl.substr(at, open - at));
        const auto close = tpl.find("}}", open + 2);
        if (close == std::string_view::npos) {
            out.error = "unclosed action in default rule";
            return out;
        }
        const auto tokens = tokenize(tpl.substr(open + 2, close - open - 2));
        std::optional<std::string> value;
        if (!tokens) ev.error = "unclosed quote";
        else value = ev.pipeline(*tokens);
        if (!value) {
            out.error = "default rule " + std::string(tpl) + ": " + ev.error;
            return out;
        }
        out.rule += *value;
        at = close + 2;
    }
    return out;
}

}  // namespace sluice::docker
