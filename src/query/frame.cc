#include "query/frame.h"

namespace ws::query {

bool FrameColumn::Get(size_t r, double* out) const {
  switch (kind) {
    case ColKind::kKey:
      *out = static_cast<double>(keys[r]);
      return keys[r] != kNullKey;
    case ColKind::kInt:
    case ColKind::kDouble:
      *out = nums[r];
      return valid.empty() || valid[r] != 0;
    case ColKind::kSet:
      *out = static_cast<double>(sets[r].cardinality());
      return true;
  }
  return false;
}

const FrameColumn* Frame::Find(std::string_view name) const {
  for (const FrameColumn& c : cols) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

FrameColumn* Frame::Find(std::string_view name) {
  return const_cast<FrameColumn*>(static_cast<const Frame*>(this)->Find(name));
}

FrameColumn& Frame::Add(std::string name, ColKind kind, Dim dim) {
  // A column of the same name is replaced, so a step can overwrite one.
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].name == name) {
      cols.erase(cols.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  FrameColumn& c = cols.emplace_back();
  c.name = std::move(name);
  c.kind = kind;
  c.dim = dim;
  return c;
}

Frame Frame::Take(const std::vector<uint32_t>& order) const {
  Frame out;
  out.rows = order.size();
  for (const FrameColumn& c : cols) {
    FrameColumn& d = out.cols.emplace_back();
    d.name = c.name;
    d.kind = c.kind;
    d.dim = c.dim;
    for (uint32_t r : order) {
      switch (c.kind) {
        case ColKind::kKey:
          d.keys.push_back(c.keys[r]);
          break;
        case ColKind::kInt:
        case ColKind::kDouble:
          d.nums.push_back(c.nums[r]);
          d.valid.push_back(c.valid.empty() ? 1 : c.valid[r]);
          break;
        case ColKind::kSet:
          d.sets.push_back(c.sets[r]);
          break;
      }
    }
  }
  return out;
}

}  // namespace ws::query
