// replacepathregex: rewrites the request path with a regular expression and a replacement
// (Traefik's replacePathRegex), the original kept in X-Replaced-Path.
#include <memory>
#include <string>
#include <string_view>

#include <re2/re2.h>

#include "go_replace.hpp"
#include "path_edit.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::replacepathregex {
namespace {

class replace_path_regex {
public:
    static std::unique_ptr<replace_path_regex> create(sdk::host&, std::string_view, std::string_view config,
                                                      sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto regex = options.required_string("regex", "a regular expression over the path, such as \"^/api/(.*)\"");
        // As Traefik: both trimmed; an empty replacement removes what matches.
        const std::string replacement(sdk::trim(options.string_or("replacement", "")));
        std::unique_ptr<RE2> re;
        if (regex) {
            re = std::make_unique<RE2>(std::string(sdk::trim(*regex)), RE2::Quiet);
            if (!re->ok()) options.error("regex", "\"" + *regex + "\" is not a valid regular expression: " + re->error());
        }
        if (!options.finish()) return nullptr;
        auto mw = std::make_unique<replace_path_regex>();
        mw->re_ = std::move(re);
        mw->replacement_ = replacement;
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        const auto parts = path_edit::split_target(req.target());
        const std::string path(parts.path), query(parts.query);  // the views end with the next change
        if (!RE2::PartialMatch(path, *re_)) return sdk::verdict::proceed;
        const std::string rewritten = path_edit::go_replace_all(*re_, path, replacement_);
        if (!path_edit::valid_escapes(rewritten) || path_edit::has_dot_segment(rewritten)) {
            // Traefik: 500 for an escape it cannot decode, 400 for a path its cleaning changes.
            reply.set_status(path_edit::valid_escapes(rewritten) ? 400 : 500);
            reply.set_header("Content-Type", "text/plain; charset=utf-8");
            reply.set_body("the rewritten path is not valid\n");
            return sdk::verdict::respond;
        }
        req.add_header("X-Replaced-Path", path);
        req.set_target(path_edit::with_leading_slash(path_edit::escape_path(rewritten)) + query);
        return sdk::verdict::proceed;
    }

private:
    std::unique_ptr<RE2> re_;
    std::string replacement_;
};

}  // namespace
}  // namespace sluice::replacepathregex

SLUICE_DECLARE_MIDDLEWARE(sluice::replacepathregex::replace_path_regex, "replacepathregex", "1.0.0",
                          "Rewrites the request path with a regular expression, keeping the original in X-Replaced-Path",
                          "regex = \"^/api/(.*)\"\nreplacement = \"/v2/$1\"\n")
