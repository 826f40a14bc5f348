// IntervalSet: the union of watched content intervals of one session
// (SPEC 2.4 coverage), as sorted, disjoint, non-touching [from, to)
// millisecond intervals.
//
// Sized for the common case: one interval is stored inline and costs no
// allocation; more spill to a heap array. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

namespace ws {

class IntervalSet {
 public:
  struct Interval {
    int64_t from_ms;
    int64_t to_ms;
  };

  // Adds [from_ms, to_ms), merging with overlapping or touching intervals.
  // Empty intervals (to_ms <= from_ms) are ignored.
  void Add(int64_t from_ms, int64_t to_ms) {
    if (to_ms <= from_ms) return;
    Interval* d = data();
    Interval* end = d + size_;
    Interval* it =
        std::lower_bound(d, end, from_ms, [](const Interval& iv, int64_t v) { return iv.to_ms < v; });
    Interval merged{from_ms, to_ms};
    Interval* last = it;
    while (last != end && last->from_ms <= to_ms) {
      merged.from_ms = std::min(merged.from_ms, last->from_ms);
      merged.to_ms = std::max(merged.to_ms, last->to_ms);
      ++last;
    }
    if (it != last) {
      *it = merged;
      std::move(last, end, it + 1);
      size_ -= static_cast<uint32_t>(last - it - 1);
      return;
    }
    size_t at = static_cast<size_t>(it - d);
    Reserve(size_ + 1);
    d = data();
    std::move_backward(d + at, d + size_, d + size_ + 1);
    d[at] = merged;
    ++size_;
  }

  // Total length of the intervals clipped to [0, limit_ms) (no upper clip
  // when limit_ms <= 0).
  int64_t CoveredMs(int64_t limit_ms) const {
    int64_t total = 0;
    const Interval* d = data();
    for (uint32_t i = 0; i < size_; ++i) {
      int64_t a = std::max<int64_t>(d[i].from_ms, 0);
      int64_t b = limit_ms > 0 ? std::min(d[i].to_ms, limit_ms) : d[i].to_ms;
      if (b > a) total += b - a;
    }
    return total;
  }

  uint32_t size() const { return size_; }
  size_t heap_bytes() const { return heap_ ? cap_ * sizeof(Interval) : 0; }

 private:
  Interval* data() { return heap_ ? heap_.get() : &inline_; }
  const Interval* data() const { return heap_ ? heap_.get() : &inline_; }

  void Reserve(uint32_t n) {
    if (n <= cap_) return;
    uint32_t cap = std::max<uint32_t>(n, cap_ * 2);
    auto grown = std::make_unique<Interval[]>(cap);
    std::copy(data(), data() + size_, grown.get());
    heap_ = std::move(grown);
    cap_ = cap;
  }

  Interval inline_{0, 0};
  std::unique_ptr<Interval[]> heap_;
  uint32_t size_ = 0;
  uint32_t cap_ = 1;  // the inline slot
};

}  // namespace ws
