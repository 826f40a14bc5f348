// Input layouts of the store's libFuzzer targets (tests/fuzz/*_fuzz.cc,
// which seed with the events and sessions tables and so sit outside the
// store, src/store/wal_fuzz.cc, src/session/ingest_state_fuzz.cc), shared by the targets and the seed
// corpus generator (tests/fuzz/make_fuzz_corpus.cc). Fuzz-only: nothing in
// the library includes it.
//
// Thread safety: constants; RowValues and RowValuesWriter are used by one
// thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/encoding.h"

namespace ws::fuzz {

// table_file_fuzz: the first input byte (modulo kTableFuzzModes) selects
// what the rest of the input is.
enum class TableFuzzMode : uint8_t {
  kImage = 0,  // a table file image: checksums repaired, every chunk read
  kChunk = 1,  // rows (kChunkRowsBytes, little-endian) then raw chunk bytes for every decoder
  kStore = 2,  // a table file image placed in a store and read by its domain's decoder
  kRows = 3,   // column values of a domain table: a valid file of them read by the domain's decoder
};
inline constexpr uint8_t kTableFuzzModes = 4;
inline constexpr size_t kChunkRowsBytes = 2;
// kChunk: the row count is the stored value modulo kMaxChunkRows + 1 (the
// decoders' work is linear in it, so it is kept small for speed).
inline constexpr size_t kMaxChunkRows = 4096;
// kStore: the day partition the file is placed in (2026-09-21, where the
// corpus generator's events lie).
inline constexpr int32_t kStoreDay = 20717;

// kRows: a table byte (modulo kRowsTables, in this order: events,
// quarantine, sessions, keys), a row count byte (modulo kMaxRows + 1), then
// the values row by row, each row's columns in schema order without the
// store's hidden columns, as RowValues reads them.
inline constexpr uint8_t kRowsTables = 4;
inline constexpr size_t kMaxRows = 8;

// The value stream of kRows. An integer is a tag byte (modulo kIntTags)
// then nothing (zero), a zigzag varint, or 8 bytes little-endian; a string
// is a varint length then its bytes. Past the end of the input every value
// is zero or empty, and a length is clipped to what remains.
inline constexpr uint8_t kIntTagZero = 0;
inline constexpr uint8_t kIntTagVarint = 1;
inline constexpr uint8_t kIntTagFixed = 2;
inline constexpr uint8_t kIntTags = 3;

class RowValues {
 public:
  explicit RowValues(std::string_view bytes) : src_(bytes) {}
  int64_t Int() {
    uint8_t tag = 0;
    if (!src_.GetU8(&tag)) return 0;
    int64_t v = 0;
    uint64_t u = 0;
    switch (tag % kIntTags) {
      case kIntTagVarint:
        return src_.GetZigZag(&v) ? v : 0;
      case kIntTagFixed:
        return src_.GetFixed64(&u) ? static_cast<int64_t>(u) : 0;
      default:
        return 0;
    }
  }
  std::string_view String() {
    uint64_t n = 0;
    std::string_view s;
    if (!src_.GetVarint(&n)) return s;
    const size_t len = n < src_.remaining() ? static_cast<size_t>(n) : src_.remaining();
    (void)src_.GetBytes(len, &s);  // len bytes remain
    return s;
  }

 private:
  store::ByteSource src_;
};

// Writes what RowValues reads (the corpus generator's side).
class RowValuesWriter {
 public:
  void Int(int64_t v) {
    sink_.PutU8(kIntTagVarint);
    sink_.PutZigZag(v);
  }
  void String(std::string_view s) { sink_.PutString(s); }
  std::string Finish() { return sink_.Finish(); }

 private:
  store::ByteSink sink_;
};

// wal_fuzz: the first input byte holds flags; the rest is one log file.
inline constexpr uint8_t kWalNotNewest = 1;  // an empty newer log follows: damage is not a torn tail
inline constexpr uint8_t kWalSkipFirst = 2;  // replay only the records after the first sequence number

}  // namespace ws::fuzz
