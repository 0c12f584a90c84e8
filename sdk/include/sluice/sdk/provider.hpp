// Provider plugins: discover configuration and publish it as whole TOML documents.
#pragma once

#include <string_view>

namespace sluice::sdk {

// Implemented by the host; thread-safe. Each call replaces everything this provider
// published before (a complete document with [http.routers], [http.services],
// [http.middlewares] tables, never a delta). The text is copied before the call returns.
class document_sink {
public:
    virtual void publish(std::string_view toml_document) noexcept = 0;

protected:
    ~document_sink() = default;
};

// A running source of configuration. It owns its threads: start() returns promptly and
// stop() joins them. The sink outlives the provider.
class provider {
public:
    // Returns false (after logging why through the host) when it cannot start at all.
    virtual bool start(document_sink& sink) noexcept = 0;
    virtual void stop() noexcept = 0;
    virtual void release() noexcept = 0;

protected:
    ~provider() = default;
};

}  // namespace sluice::sdk
