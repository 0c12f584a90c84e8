// The balancer of a strategy that takes no options and whose picker is built from the server
// set alone: the strategy is then its picker class and one declaration,
//
//     class my_picker {
//     public:
//         explicit my_picker(const sdk::server_set& servers);
//         std::int32_t pick(const sdk::request&, const sdk::server_filter&);
//         void on_attempt(const sdk::request&, const sdk::attempt&);   // optional hooks
//     };
//     SLUICE_DECLARE_BALANCER(sluice::sdk::optionless_balancer<my_picker>, "mine", "1.0.0", "...", "")
//
// Any key in the strategy's table is reported as unknown ("this table takes no options").
#pragma once

#include <memory>
#include <string_view>

#include "sluice/sdk/balancer.hpp"
#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/host.hpp"

namespace sluice::sdk {

template <class Picker>
class optionless_balancer {
public:
    static std::unique_ptr<optionless_balancer> create(host&, std::string_view, std::string_view config,
                                                       error_sink& errors) {
        if (!config_reader(config, errors).finish()) return nullptr;
        return std::make_unique<optionless_balancer>();
    }

    std::unique_ptr<Picker> create_picker(const server_set& servers, error_sink&) {
        return std::make_unique<Picker>(servers);
    }
};

}  // namespace sluice::sdk
