// Readers of the column encodings of format version 1 (docs/storage-format.md,
// appendix A), on top of the version-1 table reader. Generic: they know
// encodings, not events or sessions. Used only to upgrade a version-1 store.
//
// Thread safety: pure functions over a TableReader used by one thread.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "store/encoding.h"
#include "store/v1/table.h"
#include "util/arena.h"
#include "util/status.h"

namespace ws::store::v1 {

template <typename T>
bool Fits(int64_t v) {
  return v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
}

// A UUID-string column triple "<base>.kind/.uuid/.text" of `count` items.
Status ReadUuidColumns(TableReader* r, std::string_view base, uint64_t count, StringArena* arena,
                       std::vector<std::string_view>* out, const std::vector<uint8_t>* keep = nullptr);
Status ReadRle(TableReader* r, std::string_view name, uint64_t count, std::vector<int64_t>* out);
Status ReadDict(TableReader* r, std::string_view name, uint64_t count, StringArena* arena,
                std::vector<std::string_view>* out);
Status ReadZigZag(TableReader* r, std::string_view name, uint64_t count, std::vector<int64_t>* out);
Result<std::string_view> ReadU8(TableReader* r, std::string_view name, uint64_t count);
// A nullable zigzag column: "<name>.present" bytes + values of present rows.
Status ReadNullable(TableReader* r, std::string_view name, uint64_t count, std::string_view* present,
                    std::vector<int64_t>* values);
Status OutOfRange(std::string_view column);

}  // namespace ws::store::v1
