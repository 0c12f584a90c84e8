// Maglev's lookup table (Eisenbud et al., NSDI 2016), weighted as Envoy weights it: a
// table of a prime number of entries, each a server; a key's server is the entry at its
// hash. Every server fills the entries its own permutation of the table prefers (offset
// and skip from two hashes of its name), in turns; a server of weight w takes a turn w /
// w_max as often as the heaviest. Built once per server set; a lookup is one index.
// When the set changes, most keys keep their server: each entry tends to stay with the
// server that preferred it first.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hashing.hpp"

namespace sluice::hash {

class maglev_table {
public:
    // `names` identify the servers (their URLs); `weights` are >= 1; `size` is prime and
    // larger than the number of servers (the host checks).
    maglev_table(std::span<const std::string_view> names, std::span<const std::uint32_t> weights, std::uint32_t size)
        : entries_(size, none) {
        const std::size_t n = names.size();
        if (n == 0) return;
        struct cursor {
            std::uint64_t offset, skip, next = 0, filled = 0;
        };
        std::vector<cursor> cursors;
        std::uint32_t heaviest = 1;
        for (std::size_t i = 0; i < n; ++i) {
            cursors.push_back({hash_of(names[i], 0xa5a5) % size, hash_of(names[i], 0x5a5a) % (size - 1) + 1});
            heaviest = std::max(heaviest, weights[i]);
        }
        std::uint32_t placed = 0;
        for (std::uint64_t turn = 1; placed < size; ++turn) {
            for (std::size_t i = 0; i < n && placed < size; ++i) {
                auto& c = cursors[i];
                // Weighted turns: server i has had `filled` entries; it may take one more
                // while filled < turn x weight / heaviest.
                if (c.filled * heaviest >= turn * weights[i]) continue;
                std::uint64_t slot;
                do {
                    slot = (c.offset + c.next * c.skip) % size;
                    ++c.next;
                } while (entries_[slot] != none);
                entries_[slot] = static_cast<std::uint32_t>(i);
                ++c.filled;
                ++placed;
            }
        }
    }

    std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(entries_.size()); }
    std::uint32_t at(std::uint64_t slot) const noexcept { return entries_[slot % entries_.size()]; }

private:
    static constexpr std::uint32_t none = UINT32_MAX;
    std::vector<std::uint32_t> entries_;
};

}  // namespace sluice::hash
