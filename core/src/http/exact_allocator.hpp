// The allocator of the handlers of operations that wait long: an idle connection's readiness
// wait, a connection's timer.
//
// Asio's default keeps freed handler blocks per thread and hands them out again to any
// operation that fits, whatever size they were first made for: right for the short
// operations of the data path, wasteful for one that waits while thousands of others wait
// too, each holding a block sized for something bigger. Here each operation type has its own
// per-thread list of free blocks of exactly its size (at most `kept`): no malloc when a
// timer is re-armed or a connection parks, and no block bigger than its operation.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace sluice::http {

template <class T>
struct exact_allocator {
    using value_type = T;

    exact_allocator() = default;
    template <class U>
    exact_allocator(const exact_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n == 1) {
            if (void* block = blocks().take()) return static_cast<T*>(block);
        }
        return std::allocator<T>{}.allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n == 1 && blocks().give(p)) return;
        std::allocator<T>{}.deallocate(p, n);
    }

    template <class U>
    bool operator==(const exact_allocator<U>&) const noexcept {
        return true;
    }

private:
    // The calling thread's free blocks of sizeof(T); freed when the thread ends.
    struct free_list {
        struct node {
            node* next;
        };
        static_assert(sizeof(T) >= sizeof(node));
        static constexpr std::size_t kept = 64;

        node* first = nullptr;
        std::size_t count = 0;
        bool gone = false;  // the thread is ending: blocks go back to the heap

        ~free_list() {
            gone = true;
            while (first) std::allocator<T>{}.deallocate(reinterpret_cast<T*>(std::exchange(first, first->next)), 1);
        }
        void* take() noexcept {
            if (!first) return nullptr;
            --count;
            return std::exchange(first, first->next);
        }
        bool give(T* p) noexcept {
            if (gone || count == kept) return false;
            first = ::new (static_cast<void*>(p)) node{first};
            ++count;
            return true;
        }
    };
    static free_list& blocks() noexcept {
        thread_local free_list list;
        return list;
    }
};

}  // namespace sluice::http
