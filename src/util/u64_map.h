// U64Map: an open-addressing hash map from 64-bit keys (already hashes) to
// small values, for tables of millions of entries where a node-based map
// spends most of its time allocating (the session directory). Linear
// probing, power-of-two capacity, at most 3/4 full, erase by backward shift
// (no tombstones).
//
// Thread safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ws {

template <typename V>
class U64Map {
 public:
  // Finds `key`; nullptr when absent. Pointers are invalidated by Put/Erase.
  V* Find(uint64_t key) {
    if (size_ == 0) return nullptr;
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      if (!slots_[i].used) return nullptr;
      if (slots_[i].key == key) return &slots_[i].value;
    }
  }
  const V* Find(uint64_t key) const { return const_cast<U64Map*>(this)->Find(key); }
  // Inserts or replaces.
  void Put(uint64_t key, V value) {
    if ((size_ + 1) * kLoadDen > slots_.size() * kLoadNum) Grow();
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used) {
        s = Slot{key, std::move(value), true};
        ++size_;
        return;
      }
      if (s.key == key) {
        s.value = std::move(value);
        return;
      }
    }
  }
  // Removes `key` if present.
  void Erase(uint64_t key) {
    if (size_ == 0) return;
    size_t i = Home(key);
    while (true) {
      if (!slots_[i].used) return;
      if (slots_[i].key == key) break;
      i = (i + 1) & mask_;
    }
    // Backward shift: move later entries of the run into the hole.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (!slots_[j].used) break;
      const size_t home = Home(slots_[j].key);
      // slots_[j] may move to i when i lies cyclically in [home, j).
      const bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i].used = false;
    --size_;
  }
  // Makes room for `n` entries without growing.
  void Reserve(size_t n) {
    while (n * kLoadDen > slots_.size() * kLoadNum) Grow();
  }
  size_t size() const { return size_; }
  size_t bytes() const { return slots_.capacity() * sizeof(Slot); }
  // Calls fn(key, value&) for every entry, in no fixed order.
  template <typename Fn>
  void ForEach(Fn fn) {
    for (Slot& s : slots_) {
      if (s.used) fn(s.key, s.value);
    }
  }

 private:
  static constexpr size_t kInitialSlots = 64;
  static constexpr size_t kLoadNum = 3;  // at most 3/4 full
  static constexpr size_t kLoadDen = 4;
  struct Slot {
    uint64_t key = 0;
    V value{};
    bool used = false;
  };
  size_t Home(uint64_t key) const {
    return static_cast<size_t>(key * 0x9E3779B97F4A7C15ULL >> shift_) & mask_;
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    const size_t cap = old.empty() ? kInitialSlots : old.size() * 2;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    shift_ = 0;
    for (size_t c = cap; c > 1; c >>= 1) ++shift_;
    shift_ = 64 - shift_;
    size_ = 0;
    for (Slot& s : old) {
      if (s.used) Put(s.key, std::move(s.value));
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace ws
