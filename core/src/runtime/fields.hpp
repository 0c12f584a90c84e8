// The header fields of every message the data path handles, as rules and middlewares read
// them and the proxy writes them: Beast's fields, whose memory (one block per field, the
// target, the method and reason strings) comes from blocks each thread keeps for its next
// messages instead of going back to malloc. A worker serves its connections on one thread:
// what one request frees, the next one takes, with no lock.
#pragma once

#include <cstddef>

#include <boost/beast/http/fields.hpp>

namespace sluice::runtime {

// The blocks of the calling thread: size classes of 64, 128, ... 4096 bytes (field blocks,
// and the text of the heads the proxy writes), at most `kept` free blocks of each. Larger
// requests go to the heap.
struct head_blocks {
    static constexpr std::size_t classes = 7;
    static constexpr std::size_t smallest = 64;
    static constexpr std::size_t kept = 128;

    static void* take(std::size_t bytes);
    static void give(void* block, std::size_t bytes) noexcept;
    // Free blocks the calling thread keeps now (tests).
    static std::size_t free_blocks() noexcept;
};

template <class T>
class head_allocator {
public:
    using value_type = T;

    head_allocator() noexcept = default;
    template <class U>
    head_allocator(const head_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) { return static_cast<T*>(head_blocks::take(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { head_blocks::give(p, n * sizeof(T)); }

    template <class U>
    friend bool operator==(const head_allocator&, const head_allocator<U>&) noexcept {
        return true;
    }
};

using fields = boost::beast::http::basic_fields<head_allocator<char>>;

}  // namespace sluice::runtime
