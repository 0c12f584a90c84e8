// Memory for what lives as long as a connection: the session, its connection's timer state,
// the handlers of its long waits (an idle connection's readiness wait, the timer's wait).
//
// From malloc, these small objects would sit between the ones that outlive the connection
// (Asio keeps the reactor's state of every socket it ever opened, for the next socket), so
// when thousands of connections close, glibc keeps the pages they shared: the freed memory
// is there but not returned. Here each worker thread takes them from pages of its own
// (64 KiB, one size class per page, sizes rounded up to 16 bytes up to 512): a page whose
// blocks are all free goes back to the system at once (one empty page is kept for the next
// ones), so memory comes back as connections close. Taking and giving a block is a few
// instructions, with no lock: a worker frees what it took.
//
// Blocks larger than `largest`, and every block in AddressSanitizer builds (which must see
// each object's memory), come from the heap. Blocks are 16-byte aligned.
#pragma once

#include <cstddef>
#include <memory>

namespace sluice::http {

struct connection_blocks {
    static constexpr std::size_t largest = 512;

    static void* take(std::size_t bytes);
    // `bytes` as taken. A worker frees what it took; a block freed on another thread after
    // its worker ended (a session abandoned with its io_context at shutdown) frees its page
    // with the last one. One freed on another thread while its worker runs is never reused.
    static void give(void* block, std::size_t bytes) noexcept;
    // The pages the calling thread holds now, the kept empty one included (tests).
    static std::size_t pages() noexcept;
};

template <class T>
struct connection_allocator {
    using value_type = T;

    connection_allocator() = default;
    template <class U>
    connection_allocator(const connection_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        static_assert(alignof(T) <= 16, "connection blocks are 16-byte aligned");
        return static_cast<T*>(connection_blocks::take(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { connection_blocks::give(p, n * sizeof(T)); }

    template <class U>
    bool operator==(const connection_allocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace sluice::http
