// addprefix: puts a prefix before the request path (Traefik's addPrefix).
#include <memory>
#include <string>
#include <string_view>

#include "path_edit.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::addprefix {
namespace {

class add_prefix {
public:
    static std::unique_ptr<add_prefix> create(sdk::host&, std::string_view, std::string_view config,
                                              sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        auto prefix = options.required_string("prefix", "a path prefix such as \"/api\"");
        if (prefix && prefix->empty()) options.error("prefix", "cannot be empty");
        if (!options.finish()) return nullptr;
        auto mw = std::make_unique<add_prefix>();
        mw->prefix_ = path_edit::escape_path(*prefix);
        return mw;
    }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply&) {
        const auto [path, query] = path_edit::split_target(req.target());
        req.set_target(path_edit::with_leading_slash(prefix_ + std::string(path)) + std::string(query));
        return sdk::verdict::proceed;
    }

private:
    std::string prefix_;  // as the target carries it
};

}  // namespace
}  // namespace sluice::addprefix

SLUICE_DECLARE_MIDDLEWARE(sluice::addprefix::add_prefix, "addprefix", "1.0.0",
                          "Puts a prefix before the request path", "prefix = \"/api\"\n")
