// runtime::fields' memory: blocks a thread frees are what it takes next, within bounds.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/fields.hpp"

namespace sluice::runtime {
namespace {

TEST(head_blocks, a_freed_block_is_the_next_one_taken_of_its_size) {
    void* a = head_blocks::take(40);
    head_blocks::give(a, 40);
    EXPECT_EQ(head_blocks::take(64), a);  // the same class: up to 64 bytes
    void* b = head_blocks::take(100);
    EXPECT_NE(b, a);
    head_blocks::give(b, 100);
    head_blocks::give(a, 64);
    EXPECT_EQ(head_blocks::take(128), b);
    head_blocks::give(b, 128);
}

TEST(head_blocks, keeps_a_bounded_number_and_none_beyond_the_largest_class) {
    std::thread([] {
        std::vector<void*> blocks;
        for (std::size_t i = 0; i < head_blocks::kept + 50; ++i) blocks.push_back(head_blocks::take(200));
        for (void* b : blocks) head_blocks::give(b, 200);
        EXPECT_EQ(head_blocks::free_blocks(), head_blocks::kept);
        void* largest = head_blocks::take(4096);  // the largest class: kept
        head_blocks::give(largest, 4096);
        EXPECT_EQ(head_blocks::free_blocks(), head_blocks::kept + 1);
        EXPECT_EQ(head_blocks::take(2049), largest);
        head_blocks::give(largest, 2049);
        void* big = head_blocks::take(4097);  // beyond it: the heap's
        head_blocks::give(big, 4097);
        EXPECT_EQ(head_blocks::free_blocks(), head_blocks::kept + 1);
    }).join();
}

TEST(head_blocks, a_message_head_reuses_the_blocks_of_the_one_before) {
    std::thread([] {
        auto fill = [] {
            fields f;
            f.set(boost::beast::http::field::host, "demo.localhost");
            f.insert("X-Forwarded-For", "127.0.0.1");
            f.insert("X-Long", std::string(300, 'v'));
        };
        fill();
        const std::size_t after_first = head_blocks::free_blocks();
        EXPECT_EQ(after_first, 3u);
        fill();
        EXPECT_EQ(head_blocks::free_blocks(), after_first);  // taken and given back, no more
    }).join();
}

}  // namespace
}  // namespace sluice::runtime
