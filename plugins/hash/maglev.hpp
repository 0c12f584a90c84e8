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
#include <functional>
#include <queue>
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
        // Weighted turns: a server that has `filled` entries may take one more at a turn t
        // with filled x heaviest < t x weight, one a turn at most; within a turn, servers go in
        // order. The servers wait in a heap by (turn, index), so that turns where only the
        // heaviest takes an entry cost no scan of the others.
        using due = std::pair<std::uint64_t, std::uint32_t>;
        std::priority_queue<due, std::vector<due>, std::greater<>> queue;
        for (std::uint32_t i = 0; i < n; ++i) queue.push({1, i});
        for (std::uint32_t placed = 0; placed < size; ++placed) {
            const auto [turn, i] = queue.top();
            queue.pop();
            auto& c = cursors[i];
            std::uint64_t slot;
            do {
                slot = (c.offset + c.next * c.skip) % size;
                ++c.next;
            } while (entries_[slot] != none);
            entries_[slot] = i;
            ++c.filled;
            queue.push({std::max(turn + 1, c.filled * heaviest / weights[i] + 1), i});
        }
    }

    std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(entries_.size()); }
    std::uint32_t at(std::uint64_t slot) const noexcept { return entries_[slot % entries_.size()]; }

private:
    static constexpr std::uint32_t none = UINT32_MAX;
    std::vector<std::uint32_t> entries_;
};

}  // namespace sluice::hash
