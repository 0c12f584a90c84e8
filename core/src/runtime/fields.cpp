#include "runtime/fields.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <new>
#include <utility>

namespace sluice::runtime {

namespace {

struct free_block {
    free_block* next;
};

// Plain data, so that reaching it is one thread-pointer-relative load (a thread_local with a
// destructor is reached through an initialisation check on every use).
struct block_lists {
    std::array<free_block*, head_blocks::classes> first;
    std::array<std::uint32_t, head_blocks::classes> count;
    bool reaped;  // the thread's reaper is set up
    bool gone;    // the thread is ending: blocks freed from now on go back to the heap
};
constinit thread_local block_lists lists{};

// Returns the thread's blocks to the heap when it ends; set up by the first block kept.
struct reaper {
    ~reaper() {
        lists.gone = true;
        for (free_block*& first : lists.first)
            while (first) ::operator delete(std::exchange(first, first->next));
        lists.count = {};
    }
};
thread_local reaper thread_end;

void arm_reaper() {
    lists.reaped = true;
    [[maybe_unused]] reaper& r = thread_end;  // constructed now, destroyed as the thread ends
}

// The class of a request (64 bytes: 0, 65 to 128: 1, ... 2049 to 4096: 6), or -1 beyond the
// largest.
int class_of(std::size_t bytes) noexcept {
    if (bytes <= head_blocks::smallest) return 0;
    const int c = static_cast<int>(std::bit_width(bytes - 1)) - 6;
    return c < static_cast<int>(head_blocks::classes) ? c : -1;
}
static_assert(head_blocks::smallest == 64);

}  // namespace

void* head_blocks::take(std::size_t bytes) {
    const int c = class_of(bytes);
    if (c < 0) return ::operator new(bytes);
    if (free_block* b = lists.first[c]) {
        lists.first[c] = b->next;
        --lists.count[c];
        return b;
    }
    return ::operator new(smallest << c);
}

void head_blocks::give(void* block, std::size_t bytes) noexcept {
    const int c = class_of(bytes);
    if (c >= 0 && lists.count[c] < kept && !lists.gone) {
        if (!lists.reaped) arm_reaper();
        lists.first[c] = new (block) free_block{lists.first[c]};
        ++lists.count[c];
        return;
    }
    ::operator delete(block);
}

std::size_t head_blocks::free_blocks() noexcept {
    std::size_t n = 0;
    for (auto c : lists.count) n += c;
    return n;
}

}  // namespace sluice::runtime
