// Maglev's weighted table (maglev.hpp), apart from the plugin around it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "maglev.hpp"

namespace {

// The table as the turns were first written: every server scanned at every turn.
std::vector<std::uint32_t> reference_table(const std::vector<std::string_view>& names,
                                           const std::vector<std::uint32_t>& weights, std::uint32_t size) {
    std::vector<std::uint32_t> entries(size, UINT32_MAX);
    std::vector<std::uint64_t> offset, skip, next(names.size()), filled(names.size());
    std::uint32_t heaviest = 1;
    for (std::size_t i = 0; i < names.size(); ++i) {
        offset.push_back(sluice::hash::hash_of(names[i], 0xa5a5) % size);
        skip.push_back(sluice::hash::hash_of(names[i], 0x5a5a) % (size - 1) + 1);
        heaviest = std::max(heaviest, weights[i]);
    }
    std::uint32_t placed = 0;
    for (std::uint64_t turn = 1; placed < size; ++turn)
        for (std::size_t i = 0; i < names.size() && placed < size; ++i) {
            if (filled[i] * heaviest >= turn * weights[i]) continue;
            std::uint64_t slot;
            do slot = (offset[i] + next[i]++ * skip[i]) % size;
            while (entries[slot] != UINT32_MAX);
            entries[slot] = static_cast<std::uint32_t>(i);
            ++filled[i];
            ++placed;
        }
    return entries;
}

TEST(maglev, the_heap_of_turns_builds_the_table_of_the_plain_scan) {
    std::vector<std::string> urls;
    for (int i = 0; i < 40; ++i) urls.push_back("http://10.0.0." + std::to_string(i) + ":80");
    const std::vector<std::string_view> names(urls.begin(), urls.end());
    for (const auto& weights : std::vector<std::vector<std::uint32_t>>{
             std::vector<std::uint32_t>(40, 1), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                                  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100000}}) {
        for (std::uint32_t size : {401u, 4099u, 65537u}) {
            const sluice::hash::maglev_table table(names, weights, size);
            const auto expected = reference_table(names, weights, size);
            for (std::uint32_t slot = 0; slot < size; ++slot) ASSERT_EQ(table.at(slot), expected[slot]) << size;
        }
    }
}

TEST(maglev, the_table_is_shared_by_weight) {
    const std::vector<std::string_view> names{"http://a", "http://b", "http://c"};
    const std::vector<std::uint32_t> weights{1, 2, 3};
    const sluice::hash::maglev_table table(names, weights, 65537);
    std::map<std::uint32_t, int> entries;
    for (std::uint32_t slot = 0; slot < table.size(); ++slot) ++entries[table.at(slot)];
    EXPECT_NEAR(entries[0], 65537 / 6, 100);
    EXPECT_NEAR(entries[1], 65537 * 2 / 6, 100);
    EXPECT_NEAR(entries[2], 65537 * 3 / 6, 100);
}

}  // namespace
