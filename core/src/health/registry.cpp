#include "health/registry.hpp"

namespace sluice::health {

void registry::adopt(const std::shared_ptr<runtime::snapshot>& next) {
    decltype(states_) live;
    const std::int64_t now = runtime::steady_now_ms();
    for (auto& [name, svc] : next->services) {
        // A server new to a service that was already serving came up now (its slow start
        // begins); the servers of a new service, or of the first configuration, serve at once.
        const auto first_of_service = states_.lower_bound({name, std::string()});
        const bool serving = first_of_service != states_.end() && first_of_service->first.first == name;
        for (std::size_t i = 0; i < svc->servers.size(); ++i) {
            auto key = std::make_pair(name, svc->servers[i].url);
            auto& state = svc->health[i];
            const std::shared_ptr<runtime::server_health>* carried = nullptr;
            if (auto known = states_.find(key); known != states_.end()) carried = &known->second;
            // Two servers of one service with the same URL share one state, as they share a backend.
            else if (auto twin = live.find(key); twin != live.end()) carried = &twin->second;
            else if (serving) state->up_since_ms.store(now, std::memory_order_relaxed);
            // A service kept from the published snapshot (its definition did not change) holds
            // its carried states already, and workers read them: it is not written to.
            if (carried && state != *carried) state = *carried;
            live.emplace(std::move(key), svc->health[i]);
        }
    }
    states_ = std::move(live);
}

std::shared_ptr<const runtime::server_health> registry::find(const std::string& service,
                                                             const std::string& url) const {
    auto it = states_.find({service, url});
    return it == states_.end() ? nullptr : it->second;
}

bool server_up(const runtime::service& svc, std::size_t index) noexcept {
    return svc.health[index]->available(runtime::steady_now_ms());
}

std::string_view server_status(const runtime::service& svc, std::size_t index) noexcept {
    return server_up(svc, index) ? "UP" : "DOWN";
}

}  // namespace sluice::health
