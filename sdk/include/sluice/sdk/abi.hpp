// ABI identity of the SDK. The host refuses a plugin whose major differs, whose
// minor is newer than its own, or whose build signature differs.
#pragma once

#include <cstdint>

#define SLUICE_SDK_ABI_MAJOR 3
#define SLUICE_SDK_ABI_MINOR 1

#define SLUICE_SDK_STR_(x) #x
#define SLUICE_SDK_STR(x) SLUICE_SDK_STR_(x)

#if defined(__clang__)
#define SLUICE_SDK_COMPILER "clang-" SLUICE_SDK_STR(__clang_major__)
#elif defined(__GNUC__)
#define SLUICE_SDK_COMPILER "gcc-" SLUICE_SDK_STR(__GNUC__)
#else
#define SLUICE_SDK_COMPILER "unknown-compiler"
#endif

// <cstdint> pulls in the standard library's configuration macros.
#if defined(_GLIBCXX_RELEASE)
#define SLUICE_SDK_STDLIB "libstdc++-" SLUICE_SDK_STR(_GLIBCXX_RELEASE) "-cxx11abi" SLUICE_SDK_STR(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define SLUICE_SDK_STDLIB "libc++-" SLUICE_SDK_STR(_LIBCPP_VERSION)
#else
#define SLUICE_SDK_STDLIB "unknown-stdlib"
#endif

namespace sluice::sdk {

inline constexpr std::uint16_t abi_major = SLUICE_SDK_ABI_MAJOR;
inline constexpr std::uint16_t abi_minor = SLUICE_SDK_ABI_MINOR;

// Compiler family and major, standard library and its ABI, SDK major: the things that
// must agree for standard-library types and vtables to mean the same on both sides.
inline constexpr const char* build_signature =
    SLUICE_SDK_COMPILER " " SLUICE_SDK_STDLIB " sdk-" SLUICE_SDK_STR(SLUICE_SDK_ABI_MAJOR);

}  // namespace sluice::sdk
