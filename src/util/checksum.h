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

// XXH3-64 of a stream of bytes fed in pieces (the same value as
// Checksum64 of their concatenation). Thread safety: one thread at a time.
class StreamChecksum64 {
 public:
  StreamChecksum64() : state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~StreamChecksum64() { XXH3_freeState(state_); }
  StreamChecksum64(const StreamChecksum64&) = delete;
  StreamChecksum64& operator=(const StreamChecksum64&) = delete;
  void Update(const void* data, size_t size) { XXH3_64bits_update(state_, data, size); }
  uint64_t Value() const { return XXH3_64bits_digest(state_); }

 private:
  XXH3_state_t* state_;
};

}  // namespace ws
