// FlatIndex: an open-addressing hash index from a precomputed 64-bit key
// hash to a 32-bit slot number, for maps whose values live elsewhere (a
// slab). An entry keeps 32 bits of the hash as a tag; callers confirm each
// candidate by comparing the real key (Find takes a predicate), so distinct
// keys with equal hashes or tags are handled exactly.
//
// 8 bytes per entry at <= 75 % load (linear probing). Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

namespace ws {

class FlatIndex {
 public:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static constexpr uint32_t kDeleted = UINT32_MAX - 1;

  FlatIndex() { Rehash(kInitialCapacity); }

  // The slot of the entry with `hash` for which is_key(slot) is true, or kEmpty.
  template <typename Pred>
  uint32_t Find(uint64_t hash, Pred is_key) const {
    for (size_t i = Tag(hash) & mask_;; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kEmpty) return kEmpty;
      if (e.slot != kDeleted && e.tag == Tag(hash) && is_key(e.slot)) return e.slot;
    }
  }

  // Requires: no entry for the same key is present.
  void Insert(uint64_t hash, uint32_t slot) {
    // Grow when live + deleted entries would pass 3/4 of the table; rehash in
    // place when most of them are deleted.
    if ((used_ + 1) * kLoadDen > entries_.size() * kLoadNum) {
      Rehash((size_ + 1) * 2 * kLoadDen > entries_.size() * kLoadNum ? entries_.size() * 2 : entries_.size());
    }
    size_t i = Tag(hash) & mask_;
    while (entries_[i].slot != kEmpty && entries_[i].slot != kDeleted) i = (i + 1) & mask_;
    if (entries_[i].slot == kEmpty) ++used_;
    entries_[i] = Entry{Tag(hash), slot};
    ++size_;
  }

  // Removes the entry (hash, slot); no-op if absent.
  void Erase(uint64_t hash, uint32_t slot) {
    for (size_t i = Tag(hash) & mask_;; i = (i + 1) & mask_) {
      Entry& e = entries_[i];
      if (e.slot == kEmpty) return;
      if (e.slot == slot && e.tag == Tag(hash)) {
        e.slot = kDeleted;
        --size_;
        return;
      }
    }
  }

  // Calls fn(slot) for every entry, in no particular order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (const Entry& e : entries_) {
      if (e.slot != kEmpty && e.slot != kDeleted) fn(e.slot);
    }
  }

  void Clear() {
    entries_.assign(kInitialCapacity, Entry{0, kEmpty});
    mask_ = kInitialCapacity - 1;
    used_ = 0;
    size_ = 0;
  }
  size_t size() const { return size_; }
  size_t bytes() const { return entries_.capacity() * sizeof(Entry); }

 private:
  static constexpr size_t kInitialCapacity = 1024;
  static constexpr size_t kLoadNum = 3;  // maximum load 3/4
  static constexpr size_t kLoadDen = 4;
  struct Entry {
    uint32_t tag;  // low 32 bits of the key hash; the probe start uses the same bits
    uint32_t slot;
  };
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash); }

  void Rehash(size_t capacity) {
    std::vector<Entry> old = std::move(entries_);
    entries_.assign(capacity, Entry{0, kEmpty});
    mask_ = capacity - 1;
    used_ = 0;
    size_ = 0;
    for (const Entry& e : old) {
      if (e.slot != kEmpty && e.slot != kDeleted) Insert(e.tag, e.slot);
    }
  }

  std::vector<Entry> entries_;
  size_t mask_ = 0;
  size_t used_ = 0;  // non-empty entries, deleted included
  size_t size_ = 0;
};

}  // namespace ws
