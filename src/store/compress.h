// zstd compression of column chunks, with one reused context per thread.
//
// Thread safety: safe to call from many threads (contexts are per thread).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/status.h"

namespace ws::store {

// The level every writer uses (fast; the chunks are small and columnar).
inline constexpr int kZstdLevel = 1;

// Compresses `raw` into *out (replaced). Failure: kInternal.
Status ZstdCompress(std::string_view raw, std::string* out);
// Decompresses one frame that must expand to exactly `raw_length` bytes
// into *out (replaced). Failure: kCorruption.
Status ZstdDecompress(std::string_view frame, size_t raw_length, std::string* out);

}  // namespace ws::store
