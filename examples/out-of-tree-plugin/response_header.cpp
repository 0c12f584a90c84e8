// responseheader: a middleware that adds one header to every response.
//
//   [http.middlewares.hello.responseHeader]
//   name = "X-Hello"
//   value = "world"
#include <memory>
#include <string>
#include <string_view>

#include <sluice/sdk/config_reader.hpp>
#include <sluice/sdk/declare.hpp>

namespace {

namespace sdk = sluice::sdk;

class response_header {
public:
    static std::unique_ptr<response_header> create(sdk::host& host, std::string_view,
                                                   std::string_view config, sdk::error_sink& errors) {
        sdk::config_reader options(config, errors);
        const auto name = options.required_string("name", "the header to add");
        const auto value = options.required_string("value", "the value to set");
        if (name && name->empty()) options.error("name", "missing: the header to add");
        if (value && value->empty()) options.error("value", "missing: the value to set");
        // Unknown keys are reported too, with "did you mean" when one is a near miss.
        if (!options.finish()) return nullptr;
        auto mw = std::make_unique<response_header>();
        mw->name_ = *name;
        mw->value_ = *value;
        host.log(sdk::log_level::info, "adds " + mw->name_ + " to responses");
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
