// The mean of a server's last `window` response times, kept without a lock: pickers on every
// worker read it while the attempts ending on every worker add to it.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sluice::leasttime {

template <std::size_t Window>
class moving_average {
public:
    void add(std::uint32_t sample) noexcept {
        const std::uint64_t n = count_.fetch_add(1, std::memory_order_relaxed);
        const std::uint32_t old = ring_[n % Window].exchange(sample, std::memory_order_relaxed);
        sum_.fetch_add(static_cast<std::int64_t>(sample) - old, std::memory_order_relaxed);
    }

    bool empty() const noexcept { return count_.load(std::memory_order_relaxed) == 0; }

    // 0 while empty.
    double mean() const noexcept {
        const std::uint64_t n = std::min<std::uint64_t>(count_.load(std::memory_order_relaxed), Window);
        const std::int64_t sum = std::max<std::int64_t>(0, sum_.load(std::memory_order_relaxed));
        return n == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(n);
    }

private:
    std::atomic<std::uint64_t> count_{0};  // samples ever added
    std::atomic<std::int64_t> sum_{0};     // of the ones in the ring
    std::array<std::atomic<std::uint32_t>, Window> ring_{};
};

}  // namespace sluice::leasttime
