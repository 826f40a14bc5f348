// Column chunk codecs of format v2 (docs/storage-format.md, section 4).
//
// A chunk is one column of one block (up to kBlockRows rows). Encoders take
// the rows and return the chunk's bytes (before compression), the encoding
// they chose and the chunk's statistics; decoders check every count and
// bound and return kCorruption (a message without the file name; callers
// add it) rather than read past the end or return garbage.
//
// Bit-packed layouts carry kPackPadding zero bytes after the packed data so
// that the decoder can use unaligned 8-byte loads.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "store/column.h"
#include "util/status.h"

namespace ws::store {

inline constexpr size_t kPackPadding = 8;
// String statistics are kept only for values up to this length.
inline constexpr size_t kMaxStatBytes = 64;

// Min/max of a chunk: the range its values lie in (strings bytewise).
struct ChunkStats {
  bool has_int = false;
  int64_t min = 0;
  int64_t max = 0;
  bool has_string = false;
  std::string smin;
  std::string smax;
};

struct EncodedChunk {
  Encoding encoding = Encoding::kPlain;
  std::string bytes;
  ChunkStats stats;
};

// Encodes integer rows. `ref` (same length) is required by the ref
// encodings and ignored otherwise. Requires: hint is an integer hint.
void EncodeIntChunk(std::span<const int64_t> rows, EncodingHint hint, std::span<const int64_t> ref,
                    EncodedChunk* out);
// Encodes string rows. Requires: hint is kAuto, kPlain, kUuid or kDictUuid.
// With `stats`, the chunk's min/max strings are kept (computed over the
// dictionary when the chunk has one, so cheaply).
void EncodeStringChunk(std::span<const std::string_view> rows, EncodingHint hint, bool stats,
                       EncodedChunk* out);

// Decodes exactly `rows` integers. `ref` must hold the decoded reference
// column for the ref encodings (else it is ignored and may be null).
Status DecodeIntChunk(Encoding encoding, std::string_view bytes, size_t rows, const IntColumn* ref,
                      IntColumn* out);
// Decodes exactly `rows` strings into *out. The views point into out's
// buffer, which takes `bytes` (moved in).
Status DecodeStringChunk(Encoding encoding, std::string bytes, size_t rows, StringColumn* out);

// Bit width of an unsigned range (0 for 0).
int BitWidth(uint64_t range);
// Appends `values[i] - base` packed in `width` bits each, then kPackPadding
// zero bytes. Requires: every value - base fits in width bits.
void PackBits(std::span<const int64_t> values, int64_t base, int width, std::string* out);
// Unpacks `n` values of `width` bits from `packed` (which must hold
// ceil(n*width/8) + kPackPadding bytes) into out[0..n), adding `base`.
void UnpackBits(const char* packed, size_t n, int width, int64_t base, int64_t* out);

}  // namespace ws::store
