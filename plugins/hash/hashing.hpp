// The hashes of the hash strategy: keys and server names through xxHash (XXH3, 64 bits),
// Debian's libxxhash, inlined so that the plugin needs no library at run time.
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cmath>
#include <cstdint>
#include <string_view>

namespace sluice::hash {

inline std::uint64_t hash_of(std::string_view bytes, std::uint64_t seed = 0) noexcept {
    return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

// Rendezvous (highest random weight) score of a key for a server: the key's hash hashed
// again with the server's own hash as the seed, mapped to u in (0, 1), and weighted as
// weight / -ln(u). The highest score wins; shares follow the weights (the minimum of
// exponential variables of rates w_i falls on server i with probability w_i / sum w);
// removing a server moves only the keys it had.
inline double rendezvous_score(std::uint64_t key, std::uint64_t server, std::uint32_t weight) noexcept {
    const std::uint64_t h = XXH3_64bits_withSeed(&key, sizeof key, server);
    const double u = (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;  // 53 bits: exact in a double, never 0 or 1
    return static_cast<double>(weight) / -std::log(u);
}

}  // namespace sluice::hash
