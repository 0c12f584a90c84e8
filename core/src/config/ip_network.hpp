// An IP address or CIDR range (IPv4 or IPv6), for trusted proxies and ClientIP rules.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sluice::config {

class ip_network {
public:
    // "10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8". IPv4-mapped IPv6 peers match IPv4 ranges.
    static bool parse(std::string_view text, ip_network& out);
    bool contains(std::string_view address) const;

private:
    std::array<std::uint8_t, 16> bytes_{};  // IPv4 stored as IPv4-mapped IPv6
    unsigned prefix_ = 128;
};

}  // namespace sluice::config
