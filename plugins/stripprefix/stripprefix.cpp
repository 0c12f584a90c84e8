// stripprefix: removes the first matching prefix from the request path (Traefik semantics).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "path_edit.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::stripprefix {
namespace {

using path_edit::encoded_length;
using path_edit::has_dot_segment;

class strip_prefix {
public:
    static std::unique_ptr<strip_prefix> create(sdk::host& host, std::string_view, std::string_view config,
                                                sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto prefixes = options.required_string_list("prefixes", "a list of path prefixes such as [\"/api\"]");
        // Deprecated in Traefik v3 but valid. Its only effect there is an empty stripped path
        // becoming "/", which is what the upstream receives anyway.
        if (options.boolean("forceSlash").has_value())
            host.log(sdk::log_level::warn, "stripPrefix option forceSlash is deprecated and has no effect; remove it");
        if (!options.finish()) return nullptr;
        auto mw = std::make_unique<strip_prefix>();
        mw->prefixes_ = std::move(*prefixes);
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        const std::string_view path = req.routing_path();
        for (const auto& prefix : prefixes_) {
            if (!path.starts_with(prefix)) continue;
            try {
                const std::string_view target = req.target();
                const std::size_t query_at = target.find('?');
                const std::string_view encoded = target.substr(0, query_at);
                const std::string_view query = query_at == std::string_view::npos ? "" : target.substr(query_at);
                std::string rest(encoded.substr(encoded_length(encoded, prefix.size())));
                if (!rest.empty() && rest.front() != '/') rest.insert(rest.begin(), '/');
                if (has_dot_segment(path.substr(prefix.size()))) {
                    reply.set_status(400);
                    reply.set_header("Content-Type", "text/plain; charset=utf-8");
                    reply.set_body("invalid path after stripping the prefix\n");
                    return sdk::verdict::respond;
                }
                // An empty rest stays empty: the upstream request line still needs "/".
                req.set_target((rest.empty() ? std::string("/") : rest) + std::string(query));
                req.set_header("X-Forwarded-Prefix", prefix);
            } catch (...) {
                reply.set_status(500);
                return sdk::verdict::respond;
            }
            return sdk::verdict::proceed;
        }
        return sdk::verdict::proceed;
    }

private:
    std::vector<std::string> prefixes_;
};

}  // namespace
}  // namespace sluice::stripprefix

SLUICE_DECLARE_MIDDLEWARE(sluice::stripprefix::strip_prefix, "stripprefix", "1.0.0",
                          "Removes the first matching path prefix and sets X-Forwarded-Prefix",
                          "prefixes = [\"/api\"]\n")
