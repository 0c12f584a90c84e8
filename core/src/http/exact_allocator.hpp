// The allocator of the handlers of operations that wait long: an idle connection's readiness
// wait, a connection's timer.
//
// Asio's default keeps freed handler blocks per thread and hands them out again to any
// operation that fits, whatever size they were first made for: right for the short
// operations of the data path (no malloc per request), wasteful for one that waits while
// thousands of others wait too, each holding a block sized for something bigger. With this
// allocator the handler gets a block of its own size from the heap.
#pragma once

#include <cstddef>
#include <memory>

namespace sluice::http {

template <class T>
struct exact_allocator {
    using value_type = T;

    exact_allocator() = default;
    template <class U>
    exact_allocator(const exact_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }

    template <class U>
    bool operator==(const exact_allocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace sluice::http
