// Checksums for stored bytes: XXH3-64 (seed 0), as described in
// docs/storage-format.md.
//
// Thread safety: pure functions.
#pragma once

#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ws {

// XXH3-64 of `size` bytes at `data`. Requires: data valid for size bytes
// (may be null when size is 0).
inline uint64_t Checksum64(const void* data, size_t size) { return XXH3_64bits(data, size); }

inline uint64_t Checksum64(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

}  // namespace ws
