// responseheader: a middleware that adds one header to every response.
//
//   [http.middlewares.hello.responseHeader]
//   name = "X-Hello"
//   value = "world"
#include <memory>
#include <string>
#include <string_view>

#include <sluice/sdk/declare.hpp>
#include <toml++/toml.h>

namespace {

namespace sdk = sluice::sdk;

class response_header {
public:
    static std::unique_ptr<response_header> create(sdk::host& host, std::string_view instance,
                                                   std::string_view config, sdk::error_sink& errors) {
        auto mw = std::make_unique<response_header>();
        const toml::table table = toml::parse(config);  // a syntax error throws: reported by the SDK
        for (auto&& [key, node] : table)
            if (key != "name" && key != "value") errors.error(key.str(), "unknown key (expected name, value)");
        mw->name_ = table["name"].value_or(std::string());
        mw->value_ = table["value"].value_or(std::string());
        if (mw->name_.empty()) errors.error("name", "missing: the header to add");
        if (mw->value_.empty()) errors.error("value", "missing: the value to set");
        if (mw->name_.empty() || mw->value_.empty() || table.size() != 2) return nullptr;
        host.log(sdk::log_level::info, std::string(instance) + " adds " + mw->name_ + " to responses");
        return mw;
    }

    sdk::verdict on_request(sdk::request&, sdk::local_reply&) { return sdk::verdict::proceed; }
    void on_response(const sdk::request&, sdk::response& resp) { resp.set_header(name_, value_); }

private:
    std::string name_, value_;
};

}  // namespace

SLUICE_DECLARE_MIDDLEWARE(response_header, "responseheader", "1.0.0", "Adds one header to every response",
                          "name = \"X-Hello\"\nvalue = \"world\"\n")
