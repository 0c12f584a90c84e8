// Provider plugins: discover configuration and publish it as whole TOML documents.
// The hooks a provider type provides are listed in declare.hpp.
#pragma once

#include <string_view>

#include "sluice/abi.h"
#include "sluice/sdk/host.hpp"

namespace sluice::sdk {

// Where a provider publishes. Each publish() replaces everything this provider published
// before: a complete document with [http.routers], [http.services], [http.middlewares]
// tables, never a delta. Callable from any thread; the text is copied before the call
// returns.
//
// Lifetime: the `document_sink&` that start() receives stays valid until stop() returns
// (the SDK keeps it next to the provider), so a provider may keep the reference or a copy
// for its threads.
class document_sink {
public:
    document_sink() noexcept = default;
    document_sink(const sluice_host_api* api, sluice_document_sink* sink) noexcept : api_(api), sink_(sink) {}

    void publish(std::string_view toml_document) const noexcept { api_->publish(sink_, detail::to_c(toml_document)); }

    sluice_document_sink* handle() const noexcept { return sink_; }

private:
    const sluice_host_api* api_ = nullptr;
    sluice_document_sink* sink_ = nullptr;
};

}  // namespace sluice::sdk
