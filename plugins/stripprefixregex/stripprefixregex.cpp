// stripprefixregex: removes the path prefix a regular expression matches (Traefik's
// stripPrefixRegex), the prefix kept in X-Forwarded-Prefix.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "path_edit.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::stripprefixregex {
namespace {

class strip_prefix_regex {
public:
    static std::unique_ptr<strip_prefix_regex> create(sdk::host&, std::string_view, std::string_view config,
                                                      sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto regexes = options.required_string_list("regex", "a list of regular expressions such as [\"/api/[a-z]+/\"]");
        auto mw = std::make_unique<strip_prefix_regex>();
        if (regexes)
            for (std::size_t i = 0; i < regexes->size(); ++i) {
                auto re = std::make_unique<RE2>(std::string(sdk::trim((*regexes)[i])), RE2::Quiet);
                if (!re->ok())
                    options.error("regex[" + std::to_string(i) + "]",
                                  "\"" + (*regexes)[i] + "\" is not a valid regular expression: " + re->error());
                mw->expressions_.push_back(std::move(re));
            }
        if (!options.finish()) return nullptr;
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        const std::string path(req.routing_path());
        for (const auto& re : expressions_) {
            // The leftmost match, when it is a prefix of the path and not empty (Traefik's rule).
            re2::StringPiece match;
            if (!re->Match(path, 0, path.size(), RE2::UNANCHORED, &match, 1) || match.empty() ||
                match.data() != path.data())
                continue;
            const std::string prefix(match.data(), match.size());
            const auto parts = path_edit::split_target(req.target());
            const std::string encoded(parts.path), query(parts.query);  // the views end with the next change
            const std::string rest = encoded.substr(path_edit::encoded_length(encoded, prefix.size()));
            if (path_edit::has_dot_segment(path.substr(prefix.size()))) {
                reply.set_status(400);
                reply.set_header("Content-Type", "text/plain; charset=utf-8");
                reply.set_body("invalid path after stripping the prefix\n");
                return sdk::verdict::respond;
            }
            req.add_header("X-Forwarded-Prefix", prefix);
            req.set_target(path_edit::with_leading_slash(rest) + query);
            return sdk::verdict::proceed;
        }
        return sdk::verdict::proceed;
    }

private:
    std::vector<std::unique_ptr<RE2>> expressions_;
};

}  // namespace
}  // namespace sluice::stripprefixregex

SLUICE_DECLARE_MIDDLEWARE(sluice::stripprefixregex::strip_prefix_regex, "stripprefixregex", "1.0.0",
                          "Removes the path prefix a regular expression matches and sets X-Forwarded-Prefix",
                          "regex = [\"/api/[a-z0-9]+/\"]\n")
