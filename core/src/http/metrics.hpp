// Request metrics of one worker. Only that worker writes them, so the hot path takes no
// lock; a scrape copies each worker's shard on the worker's own thread and sums them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice::http {

// Traefik's default buckets, in seconds.
inline constexpr std::array<double, 4> duration_buckets{0.1, 0.3, 1.2, 5.0};

struct request_key {
    std::string entry_point, router, service, server, method;
    unsigned code = 0;
    bool operator==(const request_key&) const = default;
};

struct request_key_view {
    std::string_view entry_point, router, service, server, method;
    unsigned code = 0;
};

struct request_stats {
    std::uint64_t count = 0;
    double seconds = 0;
    std::array<std::uint64_t, duration_buckets.size()> buckets{};  // cumulative counts per bucket

    void add(double s) {
        ++count;
        seconds += s;
        for (std::size_t i = 0; i < duration_buckets.size(); ++i)
            if (s <= duration_buckets[i]) ++buckets[i];
    }
    void merge(const request_stats& o) {
        count += o.count;
        seconds += o.seconds;
        for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i] += o.buckets[i];
    }
};

class metrics_shard {
    struct key_hash {
        using is_transparent = void;
        std::size_t operator()(const request_key_view& k) const noexcept {
            std::size_t h = std::hash<std::string_view>{}(k.router);
            for (auto part : {k.entry_point, k.service, k.server, k.method})
                h = h * 31 + std::hash<std::string_view>{}(part);
            return h * 31 + k.code;
        }
        std::size_t operator()(const request_key& k) const noexcept {
            return (*this)(request_key_view{k.entry_point, k.router, k.service, k.server, k.method, k.code});
        }
    };
    struct key_equal {
        using is_transparent = void;
        static request_key_view view(const request_key& k) {
            return {k.entry_point, k.router, k.service, k.server, k.method, k.code};
        }
        static request_key_view view(const request_key_view& k) { return k; }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            const auto x = view(a), y = view(b);
            return x.code == y.code && x.router == y.router && x.entry_point == y.entry_point &&
                   x.service == y.service && x.server == y.server && x.method == y.method;
        }
    };

public:
    using map = std::unordered_map<request_key, request_stats, key_hash, key_equal>;

    void record(const request_key_view& key, std::chrono::steady_clock::duration took) {
        // The series of the last requests are remembered by where their names live (the
        // snapshot's and the entry point's strings), so that a request of a recent series
        // costs a comparison of its names, not a hash of them and a lookup. The names are
        // compared all the same: an address may be reused by another name.
        series*& slot = recent_[slot_of(key)];
        if (!slot || !key_equal{}(slot->first, key)) slot = &find_or_add(key);
        slot->second.add(std::chrono::duration<double>(took).count());
    }

    const map& requests() const noexcept { return requests_; }
    std::int64_t open_connections = 0;

    static constexpr std::size_t max_series = 10'000;

private:
    using series = map::value_type;  // never erased: its address stays valid

    series& find_or_add(const request_key_view& key) {
        auto it = requests_.find(key);
        if (it == requests_.end()) {
            // Bounded: past this many distinct series new ones are folded into one.
            if (requests_.size() >= max_series) it = requests_.try_emplace(request_key{"", "", "", "", "OTHER", 0}).first;
            else it = requests_.try_emplace(request_key{std::string(key.entry_point), std::string(key.router),
                                                        std::string(key.service), std::string(key.server),
                                                        std::string(key.method), key.code}).first;
        }
        return *it;
    }
    static std::size_t slot_of(const request_key_view& k) noexcept {
        const auto at = [](std::string_view s) { return reinterpret_cast<std::uintptr_t>(s.data()); };
        const std::uintptr_t h = (at(k.router) ^ (at(k.server) * 31) ^ (at(k.service) * 7)) >> 3;
        return (h ^ (h >> 7) ^ k.code ^ k.method.size()) % recent_slots;
    }

    static constexpr std::size_t recent_slots = 16;
    map requests_;
    std::array<series*, recent_slots> recent_{};
};

}  // namespace sluice::http
