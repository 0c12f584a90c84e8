// redirectregex: sends a client elsewhere when the URL it asked for matches a regular
// expression (Traefik's redirectRegex), the new URL made from the match.
#include <memory>
#include <string>
#include <string_view>

#include <re2/re2.h>

#include "go_replace.hpp"
#include "redirect.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::redirectregex {
namespace {

class redirect_regex {
public:
    static std::unique_ptr<redirect_regex> create(sdk::host&, std::string_view, std::string_view config,
                                                  sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        const auto regex = options.required_string("regex", "a regular expression over the URL, such as \"^http://www\\\\.(.*)\"");
        const auto replacement = options.required_string("replacement", "the new URL, such as \"https://$1\"");
        const bool permanent = options.boolean_or("permanent", false);
        std::unique_ptr<RE2> re;
        if (regex) {
            re = std::make_unique<RE2>(*regex, RE2::Quiet);
            if (!re->ok()) options.error("regex", "\"" + *regex + "\" is not a valid regular expression: " + re->error());
        }
        if (!options.finish()) return nullptr;
        auto mw = std::make_unique<redirect_regex>();
        mw->re_ = std::move(re);
        mw->replacement_ = *replacement;
        mw->permanent_ = permanent;
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        // As Traefik: the connection's scheme (not X-Forwarded-Proto), the Host header as sent
        // (its port too) and the target.
        std::string asked(redirect::connection_scheme(req));
        asked.append("://").append(req.header("Host")).append(req.target());
        if (!RE2::PartialMatch(asked, *re_)) return sdk::verdict::proceed;
        const std::string target = path_edit::go_replace_all(*re_, asked, replacement_);
        if (target == asked) return sdk::verdict::proceed;
        return redirect::answer(reply, req.method(), target, permanent_);
    }

private:
    std::unique_ptr<RE2> re_;
    std::string replacement_;
    bool permanent_ = false;
};

}  // namespace
}  // namespace sluice::redirectregex

SLUICE_DECLARE_MIDDLEWARE(sluice::redirectregex::redirect_regex, "redirectregex", "1.0.0",
                          "Redirects when the URL matches a regular expression, to the URL its replacement makes",
                          "regex = \"^http://www\\\\.example\\\\.com/(.*)\"\nreplacement = \"https://example.com/${1}\"\npermanent = true\n")
