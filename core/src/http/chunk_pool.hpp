// The relay chunks of one worker: blocks of relay_chunk bytes, lent to a connection for its
// read buffer while it reads and relays (a body is written straight from it) and for the
// text of the heads it writes, and taken back after, so that an idle keep-alive connection
// holds none. The pool keeps a bounded number of free blocks for the next requests and gives
// the rest back to the heap. One worker's thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>

namespace sluice::http {

// A client connection's read buffer (what a session reads of a request head at once, and
// of a request body); an upstream connection reads up to 64 KiB at once.
inline constexpr std::size_t relay_chunk = 16 * 1024;

class chunk_pool {
public:
    // Free blocks kept for reuse: enough for the requests in flight of a busy worker; more
    // are freed as they come back.
    static constexpr std::size_t kept = 64;

    chunk_pool() = default;
    chunk_pool(const chunk_pool&) = delete;
    chunk_pool& operator=(const chunk_pool&) = delete;
    ~chunk_pool() {
        for (char* block : free_) std::allocator<char>{}.deallocate(block, relay_chunk);
    }

    // A block of relay_chunk bytes, the caller's until give().
    char* take() {
        if (free_.empty()) return std::allocator<char>{}.allocate(relay_chunk);
        char* block = free_.back();
        free_.pop_back();
        return block;
    }
    void give(char* block) noexcept {
        if (free_.size() < kept) {
            try {
                free_.push_back(block);
                return;
            } catch (...) {
            }
        }
        std::allocator<char>{}.deallocate(block, relay_chunk);
    }

    std::size_t free_chunks() const noexcept { return free_.size(); }

private:
    std::vector<char*> free_;
};

// Allocates a read buffer's storage: a block of exactly relay_chunk bytes (what a session
// reserves for a request head) from the worker's chunk_pool, any other size (a head that
// outgrew it; a buffer without a pool) from the heap.
template <class T>
class chunk_allocator {
public:
    using value_type = T;

    explicit chunk_allocator(chunk_pool* pool = nullptr) noexcept : pool_(pool) {}
    template <class U>
    chunk_allocator(const chunk_allocator<U>& other) noexcept : pool_(other.pool()) {}

    T* allocate(std::size_t n) {
        if (pool_ && n * sizeof(T) == relay_chunk) return reinterpret_cast<T*>(pool_->take());
        return std::allocator<T>{}.allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (pool_ && n * sizeof(T) == relay_chunk) pool_->give(reinterpret_cast<char*>(p));
        else std::allocator<T>{}.deallocate(p, n);
    }

    chunk_pool* pool() const noexcept { return pool_; }
    friend bool operator==(const chunk_allocator& a, const chunk_allocator& b) noexcept { return a.pool_ == b.pool_; }

private:
    chunk_pool* pool_;
};

// Bytes read from a peer and not yet parsed.
using read_buffer = boost::beast::basic_flat_buffer<chunk_allocator<char>>;

}  // namespace sluice::http
