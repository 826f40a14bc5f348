// Frame: the small columnar table the query engine passes between the steps
// of a pipeline (query/plan.h). A scan's result is a frame; every later step
// maps frames to frames.
//
// Thread safety: values; one thread at a time.
#pragma once

#include <cstdint>
#include <roaring/roaring.hh>
#include <string>
#include <string_view>
#include <vector>

#include "query/plan.h"

namespace ws::query {

// A key column's null (a join without a match).
inline constexpr int64_t kNullKey = INT64_MIN;

struct FrameColumn {
  std::string name;
  ColKind kind = ColKind::kDouble;
  Dim dim = Dim::kDate;        // kKey: whose codes `keys` holds
  std::vector<int64_t> keys;   // kKey
  std::vector<double> nums;    // kInt, kDouble
  std::vector<uint8_t> valid;  // kInt, kDouble: 0 = null
  std::vector<Roaring> sets;   // kSet

  bool is_number() const { return kind == ColKind::kInt || kind == ColKind::kDouble; }
  // The value of row r as a number (keys: their code); false when null.
  bool Get(size_t r, double* out) const;
};

struct Frame {
  size_t rows = 0;
  std::vector<FrameColumn> cols;

  // nullptr when there is no such column.
  const FrameColumn* Find(std::string_view name) const;
  FrameColumn* Find(std::string_view name);
  // Appends an empty column and returns it.
  FrameColumn& Add(std::string name, ColKind kind, Dim dim = Dim::kDate);
  // A frame holding rows `order` of this one, in that order.
  Frame Take(const std::vector<uint32_t>& order) const;
};

}  // namespace ws::query
