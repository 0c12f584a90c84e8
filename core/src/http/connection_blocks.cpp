#include "http/connection_blocks.hpp"

#include <sys/mman.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_BLOCKS_FROM_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_BLOCKS_FROM_HEAP 1
#endif
#endif

namespace sluice::http {

#ifdef SLUICE_BLOCKS_FROM_HEAP

void* connection_blocks::take(std::size_t bytes) { return ::operator new(bytes); }
void connection_blocks::give(void* block, std::size_t) noexcept { ::operator delete(block); }
std::size_t connection_blocks::pages() noexcept { return 0; }

#else

namespace {

constexpr std::size_t page_bytes = 64 * 1024;
constexpr std::size_t granule = 16;
constexpr std::size_t classes = connection_blocks::largest / granule;

struct free_block {
    free_block* next;
};

// A page's header, at its start; its blocks follow.
struct page {
    page* room_prev;  // in its class's list of pages with a free block
    page* room_next;
    page* all_prev;  // in its thread's list of all its pages
    page* all_next;
    std::uint64_t owner;  // its thread's id (thread_pages::id)
    free_block* free;
    std::uint32_t block;     // bytes per block
    std::uint32_t capacity;  // blocks in the page
    std::uint32_t carved;    // blocks handed out at least once; the rest were never touched
    std::uint32_t used;
    bool orphan;  // its thread has ended
};
constexpr std::size_t header_bytes = (sizeof(page) + granule - 1) / granule * granule;

page* page_of(void* block) noexcept {
    return reinterpret_cast<page*>(reinterpret_cast<std::uintptr_t>(block) & ~(page_bytes - 1));
}

// A page aligned to its size, so that a block finds its page by masking its address.
void* map_page() {
    const std::size_t span = 2 * page_bytes;
    void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const auto aligned = (start + page_bytes - 1) & ~(page_bytes - 1);
    if (aligned > start) ::munmap(raw, aligned - start);
    if (const auto tail = start + span - (aligned + page_bytes); tail > 0)
        ::munmap(reinterpret_cast<void*>(aligned + page_bytes), tail);
    return reinterpret_cast<void*>(aligned);
}

void unmap_page(page* p) noexcept { ::munmap(p, page_bytes); }

template <page* page::*Prev, page* page::*Next>
void unlink(page*& first, page* p) noexcept {
    if (p->*Prev) (p->*Prev)->*Next = p->*Next;
    else first = p->*Next;
    if (p->*Next) (p->*Next)->*Prev = p->*Prev;
    p->*Prev = p->*Next = nullptr;
}
template <page* page::*Prev, page* page::*Next>
void link(page*& first, page* p) noexcept {
    p->*Prev = nullptr;
    p->*Next = first;
    if (first) first->*Prev = p;
    first = p;
}
constexpr auto unlink_room = unlink<&page::room_prev, &page::room_next>;
constexpr auto link_room = link<&page::room_prev, &page::room_next>;
constexpr auto unlink_all = unlink<&page::all_prev, &page::all_next>;
constexpr auto link_all = link<&page::all_prev, &page::all_next>;

// Plain data, reached with one thread-pointer-relative load; set up by the first page.
struct thread_pages {
    std::array<page*, classes> room;  // per class, the pages with a free block
    page* all;
    page* spare;  // an empty page kept for the next one needed
    std::size_t count;
    std::uint64_t id;  // from next_thread_id with the first page: never another thread's, even
                       // one that later gets this thread's storage
    bool reaped;       // the thread's reaper is set up
};
constinit thread_local thread_pages mine{};
std::atomic<std::uint64_t> next_thread_id{1};

// When the thread ends: its empty pages are unmapped; a page still holding blocks (a session
// abandoned with its io_context, freed later by another thread) is left to the last of them.
struct reaper {
    ~reaper() {
        while (page* p = mine.all) {
            unlink_all(mine.all, p);
            if (p->used == 0) unmap_page(p);
            else p->orphan = true;
        }
        if (mine.spare) unmap_page(mine.spare);
        mine = {};
        mine.reaped = true;  // a page made after this (the thread is ending) is never unmapped
    }
};
thread_local reaper thread_end;

page* new_page(std::size_t c) {
    page* p = mine.spare ? std::exchange(mine.spare, nullptr) : static_cast<page*>(map_page());
    if (!mine.reaped) {
        mine.reaped = true;
        [[maybe_unused]] reaper& r = thread_end;  // constructed now, destroyed as the thread ends
    }
    const auto block = static_cast<std::uint32_t>((c + 1) * granule);
    if (mine.id == 0) mine.id = next_thread_id.fetch_add(1, std::memory_order_relaxed);
    ::new (static_cast<void*>(p)) page{nullptr, nullptr, nullptr, nullptr, mine.id, nullptr, block,
                                       static_cast<std::uint32_t>((page_bytes - header_bytes) / block), 0, 0, false};
    link_room(mine.room[c], p);
    link_all(mine.all, p);
    ++mine.count;
    return p;
}

void release(page* p) noexcept {
    unlink_all(mine.all, p);
    --mine.count;
    if (!mine.spare) mine.spare = p;
    else unmap_page(p);
}

}  // namespace

void* connection_blocks::take(std::size_t bytes) {
    if (bytes == 0 || bytes > largest) return ::operator new(bytes);
    const std::size_t c = (bytes - 1) / granule;
    page* p = mine.room[c];
    if (!p) p = new_page(c);
    void* block;
    if (p->free) block = std::exchange(p->free, p->free->next);
    else block = reinterpret_cast<char*>(p) + header_bytes + std::size_t{p->carved++} * p->block;
    if (++p->used == p->capacity) unlink_room(mine.room[c], p);
    return block;
}

void connection_blocks::give(void* block, std::size_t bytes) noexcept {
    if (bytes == 0 || bytes > largest) return ::operator delete(block);
    page* p = page_of(block);
    if (p->orphan) {
        // Its thread has ended: only this (shutdown) thread frees into it now.
        if (--p->used == 0) unmap_page(p);
        return;
    }
    if (p->owner != mine.id) return;  // another live thread's: never reused (see the header)
    const std::size_t c = p->block / granule - 1;  // the page's class, whatever `bytes` says
    if (p->used == p->capacity) link_room(mine.room[c], p);
    p->free = ::new (block) free_block{p->free};
    if (--p->used == 0) {
        unlink_room(mine.room[c], p);
        release(p);
    }
}

std::size_t connection_blocks::pages() noexcept { return mine.count + (mine.spare ? 1 : 0); }

#endif

}  // namespace sluice::http
