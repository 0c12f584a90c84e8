// IP addresses and CIDR ranges (IPv4 and IPv6), and the client address a request came from
// behind proxies (Traefik's ipStrategy): for allow lists, hashing on the client, trusted peers.
#pragma once

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/sdk/config_reader.hpp"

namespace sluice::sdk {

// An address as 16 bytes, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), so that an IPv4 range
// matches an IPv4 peer seen on an IPv6 socket.
struct ip_address {
    std::array<std::uint8_t, 16> bytes{};
    bool v4 = false;  // an IPv4 address, written either way ("10.0.0.1", "::ffff:10.0.0.1")

    // "10.0.0.1", "::1", "::ffff:10.0.0.1", "fe80::1%eth0" (the zone is ignored); nullopt for
    // anything else (no port, no brackets).
    static std::optional<ip_address> parse(std::string_view text) noexcept {
        if (const auto zone = text.find('%'); zone != std::string_view::npos && text.find(':') < zone)
            text = text.substr(0, zone);
        char buffer[INET6_ADDRSTRLEN + 1];
        if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
        std::memcpy(buffer, text.data(), text.size());
        buffer[text.size()] = '\0';
        ip_address out;
        std::uint8_t v4_bytes[4];
        if (inet_pton(AF_INET, buffer, v4_bytes) == 1) {
            out.v4 = true;
            out.bytes[10] = out.bytes[11] = 0xFF;
            std::memcpy(out.bytes.data() + 12, v4_bytes, 4);
            return out;
        }
        if (inet_pton(AF_INET6, buffer, out.bytes.data()) != 1) return std::nullopt;
        static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        out.v4 = std::memcmp(out.bytes.data(), mapped, sizeof mapped) == 0;
        return out;
    }
};

class ip_network {
public:
    // "10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8": an address alone is a range of one.
    static std::optional<ip_network> parse(std::string_view text) noexcept {
        const auto slash = text.find('/');
        const auto address = ip_address::parse(text.substr(0, slash));
        if (!address) return std::nullopt;
        ip_network out;
        out.base_ = address->bytes;
        out.v4_ = address->v4;
        if (slash == std::string_view::npos) return out;
        const std::string_view bits = text.substr(slash + 1);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
        // The prefix counts the bits of the address as written: 32 for "10.0.0.0", 128 for
        // "::ffff:10.0.0.0".
        const bool dotted = text.substr(0, slash).find(':') == std::string_view::npos;
        if (bits.empty() || ec != std::errc{} || end != bits.data() + bits.size() || value > (dotted ? 32u : 128u))
            return std::nullopt;
        out.prefix_ = dotted ? value + 96 : value;
        return out;
    }

    // As Go's IPNet.Contains: an IPv4 range holds IPv4 addresses only, an IPv6 range IPv6
    // ones only (so "::/0" is not every IPv4 client too).
    bool contains(const ip_address& address) const noexcept {
        if (address.v4 != v4_) return false;
        unsigned bits = prefix_;
        for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
            const unsigned take = bits >= 8 ? 8 : bits;
            const auto mask = static_cast<std::uint8_t>(0xFF00u >> take);
            if ((address.bytes[i] & mask) != (base_[i] & mask)) return false;
            bits -= take;
        }
        return true;
    }
    // False for text that is not an address.
    bool contains(std::string_view address) const noexcept {
        const auto a = ip_address::parse(address);
        return a && contains(*a);
    }

private:
    std::array<std::uint8_t, 16> base_{};
    unsigned prefix_ = 128;
    bool v4_ = false;
};

// Which address of a request is the client's (Traefik's ipStrategy):
// - depth > 0: the depth-th address from the right of X-Forwarded-For as the peer sent it;
//   empty when the list is shorter;
// - else with excluded ranges: the rightmost address of that list not in them (the proxies
//   of one's own), empty when every one is;
// - else the peer's address.
// `forwarded` is the list the peer sent (trusted peers only: the host removes an untrusted
// peer's); a request's X-Forwarded-For as plugins see it also ends with the peer's own
// address, which the host appended: peer_forwarded_for() takes it off.
struct ip_strategy {
    unsigned depth = 0;
    std::vector<ip_network> excluded;

    bool uses_forwarded() const noexcept { return depth > 0 || !excluded.empty(); }

    std::string_view client(std::string_view peer, std::string_view forwarded) const noexcept {
        if (!uses_forwarded()) return peer;
        unsigned from_right = 0;
        while (!forwarded.empty()) {
            const auto comma = forwarded.rfind(',');
            std::string_view entry = comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1);
            forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(0, comma);
            while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.remove_prefix(1);
            while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
            ++from_right;
            if (depth > 0) {
                if (from_right == depth) return entry;
                continue;
            }
            if (entry.empty()) continue;
            bool skip = false;
            for (const auto& range : excluded) skip = skip || range.contains(entry);
            if (!skip) return entry;
        }
        return {};
    }
};

// A request's X-Forwarded-For as its peer sent it: the value plugins see, less the peer's own
// address, which the host appends last to every request it forwards.
inline std::string_view peer_forwarded_for(std::string_view value) noexcept {
    const auto comma = value.rfind(',');
    if (comma == std::string_view::npos) return {};
    value = value.substr(0, comma);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
}

// Reads Traefik's `ipStrategy` table (depth from 0 to 64, excludedIPs as addresses or CIDR
// ranges) at `key`; `true` (a label's `ipstrategy=true`) or no key at all: the peer's address.
inline ip_strategy read_ip_strategy(config_reader& options, std::string_view key = "ipStrategy") {
    ip_strategy out;
    auto table = options.switched_table(key);
    if (!table) return out;
    out.depth = static_cast<unsigned>(table->integer_or("depth", 0, {0, 64}));
    const auto excluded = table->string_list_or("excludedIPs", {});
    for (std::size_t i = 0; i < excluded.size(); ++i) {
        if (auto range = ip_network::parse(excluded[i])) out.excluded.push_back(*range);
        else table->error("excludedIPs[" + std::to_string(i) + "]", "\"" + excluded[i] + "\" is not an IP address or CIDR range");
    }
    return out;
}

}  // namespace sluice::sdk
