// SeenFilter: a layered Bloom filter of (session, event id) hashes for the
// events of the open sessions, so that the ingest fast path can tell that an
// event id is certainly new without keeping every id in memory.
//
// No false negatives: MaybeContains(h) is true for every h inserted into a
// layer not yet dropped. False positives (~1 %) only send an event to the
// exact slow path. Layers grow geometrically; a layer is dropped once no open
// session started before its successor began (DropBefore).
// Thread safety: none.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

namespace ws {

class SeenFilter {
 public:
  static constexpr uint64_t kFirstLayerCapacity = 1 << 16;
  static constexpr uint64_t kBitsPerKey = 10;
  static constexpr int kProbes = 7;

  SeenFilter() { AddLayer(kFirstLayerCapacity); }

  void Insert(uint64_t h) {
    Layer& l = layers_.back();
    if (l.count >= l.capacity) {
      AddLayer(l.capacity * 2);
    }
    Layer& cur = layers_.back();
    ForEachProbe(cur, h, [&](uint64_t bit) { cur.bits[bit >> 6] |= uint64_t{1} << (bit & 63); });
    ++cur.count;
  }

  bool MaybeContains(uint64_t h) const {
    for (const Layer& l : layers_) {
      bool all = true;
      ForEachProbe(l, h, [&](uint64_t bit) { all = all && ((l.bits[bit >> 6] >> (bit & 63)) & 1); });
      if (all) return true;
    }
    return false;
  }

  // The index of the layer new keys go into.
  uint64_t current_layer() const { return first_index_ + layers_.size() - 1; }

  // Drops every layer with index < `oldest_needed` (never the current one).
  void DropBefore(uint64_t oldest_needed) {
    while (layers_.size() > 1 && first_index_ < oldest_needed) {
      layers_.pop_front();
      ++first_index_;
    }
  }

  // Keys held by the layers not yet dropped.
  uint64_t keys() const {
    uint64_t n = 0;
    for (const Layer& l : layers_) n += l.count;
    return n;
  }

  size_t bytes() const {
    size_t n = 0;
    for (const Layer& l : layers_) n += l.bits.capacity() * sizeof(uint64_t);
    return n;
  }

 private:
  struct Layer {
    std::vector<uint64_t> bits;
    uint64_t nbits = 0;
    uint64_t capacity = 0;
    uint64_t count = 0;
  };

  void AddLayer(uint64_t capacity) {
    Layer l;
    l.capacity = capacity;
    l.nbits = capacity * kBitsPerKey;
    l.bits.assign((l.nbits + 63) / 64, 0);
    layers_.push_back(std::move(l));
  }

  template <typename Fn>
  static void ForEachProbe(const Layer& l, uint64_t h, Fn fn) {
    // Double hashing (Kirsch-Mitzenmacher) from the two halves of h.
    uint64_t h1 = h;
    uint64_t h2 = (h >> 32) | (h << 32) | 1;
    for (int i = 0; i < kProbes; ++i) fn((h1 + static_cast<uint64_t>(i) * h2) % l.nbits);
  }

  std::deque<Layer> layers_;
  uint64_t first_index_ = 0;
};

}  // namespace ws
