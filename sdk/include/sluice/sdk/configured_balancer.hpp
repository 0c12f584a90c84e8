// The balancer of a strategy with options: they are read once, when the service is built,
// into the strategy's settings, and each picker is built from a server set and them. The
// strategy is then its settings, its picker class and one declaration:
//
//     struct my_settings {
//         std::chrono::milliseconds window{10'000};
//         // Reads the strategy's table; errors go through the reader (finish() follows).
//         static my_settings read(sdk::config_reader& options);
//         // Optional: whether a server set suits these settings (errors name the key).
//         bool accepts(const sdk::server_set& set, sdk::error_sink& errors) const;
//     };
//     class my_picker {
//     public:
//         my_picker(const sdk::server_set& servers, const my_settings& settings);
//         std::int32_t pick(const sdk::request&, const sdk::server_filter&);
//     };
//     using my_balancer = sluice::sdk::configured_balancer<my_settings, my_picker>;
//     SLUICE_DECLARE_BALANCER(my_balancer, "mine", "1.0.0", "...", "window = \"10s\"\n")
//
// The settings outlive every picker built from them. Unknown keys are reported by finish().
#pragma once

#include <memory>
#include <string_view>

#include "sluice/sdk/balancer.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/host.hpp"

namespace sluice::sdk {

template <class Settings, class Picker>
class configured_balancer {
public:
    static std::unique_ptr<configured_balancer> create(host&, std::string_view, std::string_view config,
                                                       error_sink& errors) {
        config_reader options(config, errors);
        auto b = std::make_unique<configured_balancer>();
        b->settings_ = Settings::read(options);
        if (!options.finish()) return nullptr;
        return b;
    }

    std::unique_ptr<Picker> create_picker(const server_set& servers, error_sink& errors) {
        if constexpr (requires { settings_.accepts(servers, errors); }) {
            if (!settings_.accepts(servers, errors)) return nullptr;
        }
        return std::make_unique<Picker>(servers, settings_);
    }

private:
    Settings settings_;
};

}  // namespace sluice::sdk
