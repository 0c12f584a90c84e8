// replacepath: replaces the request path, the original kept in X-Replaced-Path (Traefik's
// replacePath).
#include <memory>
#include <string>
#include <string_view>

#include "path_edit.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::replacepath {
namespace {

class replace_path {
public:
    static std::unique_ptr<replace_path> create(sdk::host&, std::string_view, std::string_view config,
                                                sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto path = options.required_string("path", "the path requests are sent to, such as \"/foo\"");
        if (path && !path_edit::valid_escapes(*path))
            options.error("path", "\"" + *path + "\" has a '%' that does not start an escape such as %2F");
        if (!options.finish()) return nullptr;
        auto mw = std::make_unique<replace_path>();
        mw->path_ = path_edit::with_leading_slash(path_edit::escape_path(*path));
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply&) {
        const auto parts = path_edit::split_target(req.target());
        const std::string path(parts.path), query(parts.query);  // the views end with the next change
        req.add_header("X-Replaced-Path", path);
        req.set_target(path_ + query);
        return sdk::verdict::proceed;
    }

private:
    std::string path_;  // as the target carries it
};

}  // namespace
}  // namespace sluice::replacepath

SLUICE_DECLARE_MIDDLEWARE(sluice::replacepath::replace_path, "replacepath", "1.0.0",
                          "Replaces the request path, keeping the original in X-Replaced-Path", "path = \"/foo\"\n")
