// Publishes snapshots from the control thread to the workers without locks on the
// request path: each worker caches the current snapshot and reloads it only when the
// generation moves.
#pragma once

#include <atomic>
#include <memory>

#include "runtime/snapshot.hpp"

namespace sluice::runtime {

class snapshot_store {
public:
    snapshot_store() : current_(std::make_shared<const snapshot>()) {}

    void publish(std::shared_ptr<const snapshot> next) {
        current_.store(std::move(next), std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_release);
    }
    std::shared_ptr<const snapshot> load() const { return current_.load(std::memory_order_acquire); }
    std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

private:
    std::atomic<std::shared_ptr<const snapshot>> current_;
    std::atomic<std::uint64_t> generation_{0};
};

// One per worker thread; not thread-safe.
class snapshot_cache {
public:
    explicit snapshot_cache(const snapshot_store& store) : store_(store) {}

    const std::shared_ptr<const snapshot>& get() {
        const auto generation = store_.generation();
        if (!cached_ || generation != seen_) {
            seen_ = generation;
            cached_ = store_.load();
        }
        return cached_;
    }

private:
    const snapshot_store& store_;
    std::shared_ptr<const snapshot> cached_;
    std::uint64_t seen_ = 0;
};

}  // namespace sluice::runtime
