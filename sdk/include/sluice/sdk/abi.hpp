// ABI identity of the SDK: the version of sluice/abi.h it is built on. The host loads a
// plugin whose ABI major equals its own and whose minor is not newer; nothing else about
// the build (compiler, standard library) has to match, since only C crosses the boundary.
#pragma once

#include <cstdint>

#include "sluice/abi.h"

namespace sluice::sdk {

inline constexpr std::uint16_t abi_major = SLUICE_ABI_MAJOR;
inline constexpr std::uint16_t abi_minor = SLUICE_ABI_MINOR;

}  // namespace sluice::sdk
