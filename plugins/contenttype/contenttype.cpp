// contenttype: names a response's type from its body's first bytes when the server sent no
// Content-Type (Traefik's contentType middleware; neither Traefik v3 nor Sluice does it
// otherwise). The host sniffs (WHATWG rules, as Go's http.DetectContentType).
#include <memory>
#include <string_view>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/declare.hpp"

namespace sluice::contenttype {
namespace {

class content_type {
public:
    static std::unique_ptr<content_type> create(sdk::host& host, std::string_view, std::string_view config,
                                                sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        // Traefik's deprecated switch: false turns the middleware into nothing.
        const auto auto_detect = options.boolean("autoDetect");
        if (!options.finish()) return nullptr;
        if (auto_detect)
            host.log(sdk::log_level::warn,
                     "autoDetect is deprecated (as in Traefik): the middleware is only meant to turn detection on; "
                     "remove the option");
        auto mw = std::make_unique<content_type>();
        mw->detect_ = auto_detect.value_or(true);
        return mw;
    }

    sdk::verdict on_request(sdk::request&, sdk::local_reply&) { return sdk::verdict::proceed; }

    void on_response(const sdk::request&, sdk::response& res) {
        if (detect_) res.detect_content_type();
    }

private:
    bool detect_ = true;
};

}  // namespace
}  // namespace sluice::contenttype

SLUICE_DECLARE_MIDDLEWARE(sluice::contenttype::content_type, "contenttype", "1.0.0",
                          "Names a response's type from its first bytes when the server sent no Content-Type", "")
