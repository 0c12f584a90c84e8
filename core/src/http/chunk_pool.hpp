// The relay chunks of one worker, lent to a connection while it relays a body and taken
// back after: an idle keep-alive connection holds none. The pool keeps a bounded number of
// free chunks for the next requests and gives the rest back to the allocator. One worker's
// thread only.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "http/relay.hpp"

namespace sluice::http {

class chunk_pool {
public:
    using chunk = std::array<char, relay_chunk>;

    // A chunk on loan; returned to its pool when the lease ends.
    class lease {
    public:
        lease(chunk_pool& pool, std::unique_ptr<chunk> c) noexcept : pool_(&pool), chunk_(std::move(c)) {}
        lease(lease&& o) noexcept : pool_(o.pool_), chunk_(std::move(o.chunk_)) {}
        lease& operator=(lease&&) = delete;
        ~lease() {
            if (chunk_) pool_->give_back(std::move(chunk_));
        }
        chunk& operator*() const noexcept { return *chunk_; }

    private:
        chunk_pool* pool_;
        std::unique_ptr<chunk> chunk_;
    };

    // Free chunks kept for reuse: enough for the bodies in flight of a busy worker; more are
    // freed as they come back.
    static constexpr std::size_t kept = 64;

    lease lend() {
        if (free_.empty()) return {*this, std::make_unique<chunk>()};
        auto c = std::move(free_.back());
        free_.pop_back();
        return {*this, std::move(c)};
    }

    std::size_t free_chunks() const noexcept { return free_.size(); }

private:
    void give_back(std::unique_ptr<chunk> c) {
        if (free_.size() < kept) free_.push_back(std::move(c));
    }

    std::vector<std::unique_ptr<chunk>> free_;
};

}  // namespace sluice::http
