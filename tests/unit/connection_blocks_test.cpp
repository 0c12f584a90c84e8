#include "http/connection_blocks.hpp"

#include <sys/mman.h>

#include <cerrno>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool from_pages = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool from_pages = false;
#else
constexpr bool from_pages = true;
#endif
#else
constexpr bool from_pages = true;
#endif

// Each test runs on a thread of its own, so the pages it counts are its own.
template <class Fn>
void on_new_thread(Fn fn) {
    std::thread t(fn);
    t.join();
}

TEST(ConnectionBlocks, PagesGoBackWhenTheirBlocksAreFreed) {
    if (!from_pages) GTEST_SKIP() << "sanitizer build: every block is the heap's";
    on_new_thread([] {
        // Ten thousand connections' worth of three sizes: many pages per class.
        std::vector<void*> blocks;
        for (int i = 0; i < 10000; ++i)
            for (std::size_t size : {248u, 200u, 152u}) {
                void* b = connection_blocks::take(size);
                std::memset(b, 0xab, size);
                blocks.push_back(b);
            }
        const std::size_t held = connection_blocks::pages();
        EXPECT_GT(held, 60u);  // about 6.0 MB in 64 KiB pages
        EXPECT_LT(held, 110u);
        // Freed in the order they came, every other one first: pages stay while any block
        // of theirs is held.
        const auto size_of = [](std::size_t i) -> std::size_t { return i % 3 == 0 ? 248 : i % 3 == 1 ? 200 : 152; };
        for (std::size_t i = 0; i < blocks.size(); i += 2) connection_blocks::give(blocks[i], size_of(i));
        EXPECT_EQ(connection_blocks::pages(), held);
        for (std::size_t i = 1; i < blocks.size(); i += 2) connection_blocks::give(blocks[i], size_of(i));
        EXPECT_EQ(connection_blocks::pages(), 1u);  // the empty page kept for the next ones
    });
}

TEST(ConnectionBlocks, BlocksAreDistinctAlignedAndReused) {
    on_new_thread([] {
        std::set<void*> seen;
        std::vector<void*> blocks;
        for (int i = 0; i < 1000; ++i) {
            void* b = connection_blocks::take(40);
            EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 16, 0u);
            EXPECT_TRUE(seen.insert(b).second);
            blocks.push_back(b);
        }
        const std::size_t held = connection_blocks::pages();
        for (void* b : blocks) connection_blocks::give(b, 40);
        for (int i = 0; i < 1000; ++i) blocks[static_cast<std::size_t>(i)] = connection_blocks::take(48);  // same class
        if (from_pages) {
            EXPECT_EQ(connection_blocks::pages(), held);  // the same pages again
        }
        for (void* b : blocks) connection_blocks::give(b, 48);
    });
}

TEST(ConnectionBlocks, LargeBlocksAreTheHeaps) {
    on_new_thread([] {
        void* b = connection_blocks::take(connection_blocks::largest + 1);
        std::memset(b, 0, connection_blocks::largest + 1);
        EXPECT_EQ(connection_blocks::pages(), 0u);
        connection_blocks::give(b, connection_blocks::largest + 1);
    });
}

TEST(ConnectionBlocks, ABlockOutlivesTheThreadThatTookIt) {
    // A session abandoned with its worker's io_context is destroyed on the thread that
    // destroys it, after the worker's thread ended.
    void* kept = nullptr;
    on_new_thread([&] {
        kept = connection_blocks::take(248);
        void* other = connection_blocks::take(248);
        connection_blocks::give(other, 248);
    });
    std::memset(kept, 0xcd, 248);  // still mapped
    connection_blocks::give(kept, 248);
    if (from_pages) {
        // Its last block freed, the orphaned page is unmapped.
        void* page = reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(kept) & ~std::uintptr_t{64 * 1024 - 1});
        unsigned char resident[16];
        EXPECT_EQ(::mincore(page, 64 * 1024, resident), -1);
        EXPECT_EQ(errno, ENOMEM);
    }
}

}  // namespace
}  // namespace sluice::http
