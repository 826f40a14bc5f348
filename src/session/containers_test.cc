// Unit tests of the small containers behind the ingest engine's open-session
// state: FlatIndex, CompactId, IntervalSet, SeenFilter.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "session/compact_id.h"
#include "session/flat_index.h"
#include "session/interval_set.h"
#include "session/seen_filter.h"

namespace ws {
namespace {

TEST(FlatIndex, MatchesAMapUnderInsertEraseAndCollidingHashes) {
  FlatIndex index;
  std::vector<std::string> keys;
  std::map<std::string, uint32_t> model;
  std::mt19937_64 rng(3);
  // Hash by key length modulo 7: many distinct keys share a hash.
  auto hash = [](const std::string& k) { return static_cast<uint64_t>(k.size() % 7); };
  auto find = [&](const std::string& k) {
    return index.Find(hash(k), [&](uint32_t slot) { return keys[slot] == k; });
  };
  for (int i = 0; i < 5000; ++i) {
    std::string k = std::to_string(rng() % 2000) + std::string(rng() % 9, 'x');
    auto it = model.find(k);
    if (it == model.end()) {
      keys.push_back(k);
      auto slot = static_cast<uint32_t>(keys.size() - 1);
      index.Insert(hash(k), slot);
      model[k] = slot;
    } else if (rng() % 2) {
      index.Erase(hash(k), it->second);
      model.erase(it);
    }
  }
  EXPECT_EQ(index.size(), model.size());
  for (const auto& [k, slot] : model) EXPECT_EQ(find(k), slot) << k;
  EXPECT_EQ(find("absent-key"), FlatIndex::kEmpty);
  size_t visited = 0;
  index.ForEach([&](uint32_t) { ++visited; });
  EXPECT_EQ(visited, model.size());
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  for (const auto& [k, slot] : model) EXPECT_EQ(find(k), FlatIndex::kEmpty);
}

TEST(CompactId, UuidsAreStoredInTwentyFourBytesAndRoundTrip) {
  static_assert(sizeof(CompactId) == 24);
  const std::string uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  CompactId id(uuid);
  EXPECT_EQ(id.str(), uuid);
  EXPECT_EQ(id.heap_bytes(), 0u);
  EXPECT_TRUE(id.Equals(uuid));
  EXPECT_FALSE(id.Equals("0f8fad5b-d9cb-469f-a165-70867728950f"));
  EXPECT_FALSE(id.Equals("0F8FAD5B-D9CB-469F-A165-70867728950E"));  // not the same text
}

TEST(CompactId, OtherIdsKeepTheirExactText) {
  for (std::string text : {std::string("s1"), std::string("0F8FAD5B-D9CB-469F-A165-70867728950E"),
                           std::string(128, 'z'), std::string("sess with spaces / ünïcode")}) {
    CompactId id(text);
    EXPECT_EQ(id.str(), text);
    EXPECT_TRUE(id.Equals(text));
    EXPECT_FALSE(id.Equals(text + "x"));
  }
  CompactId moved(std::string(40, 'a'));
  CompactId target = std::move(moved);
  EXPECT_EQ(target.str(), std::string(40, 'a'));
}

TEST(IntervalSet, UnionOfIntervalsWithMergesAndClipping) {
  IntervalSet s;
  s.Add(10, 20);
  EXPECT_EQ(s.heap_bytes(), 0u);  // one interval: inline
  s.Add(30, 40);
  s.Add(50, 60);
  s.Add(5, 12);                   // extends the first
  s.Add(20, 30);                  // touches both neighbours: merges them
  s.Add(70, 70);                  // empty: ignored
  EXPECT_EQ(s.size(), 2u);        // [5,40) [50,60)
  EXPECT_EQ(s.CoveredMs(0), 45);  // no clip
  EXPECT_EQ(s.CoveredMs(55), 40);
  s.Add(-10, 100);
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.CoveredMs(0), 100);  // clipped at 0 from below
}

TEST(IntervalSet, AgreesWithABitmapOnRandomInput) {
  std::mt19937 rng(5);
  for (int round = 0; round < 50; ++round) {
    IntervalSet s;
    std::vector<bool> covered(300, false);
    for (int i = 0; i < 20; ++i) {
      int a = static_cast<int>(rng() % 300), b = static_cast<int>(rng() % 300);
      if (a > b) std::swap(a, b);
      s.Add(a, b);
      for (int x = a; x < b; ++x) covered[x] = true;
    }
    int64_t expected = std::count(covered.begin(), covered.end(), true);
    EXPECT_EQ(s.CoveredMs(0), expected);
  }
}

TEST(SeenFilter, NoFalseNegativesAcrossLayersAndFewFalsePositives) {
  SeenFilter f;
  std::mt19937_64 rng(9);
  std::vector<uint64_t> in;
  const size_t n = SeenFilter::kFirstLayerCapacity * 3;  // forces new layers
  for (size_t i = 0; i < n; ++i) {
    in.push_back(rng());
    f.Insert(in.back());
  }
  EXPECT_GT(f.current_layer(), 0u);
  for (uint64_t h : in) ASSERT_TRUE(f.MaybeContains(h));
  size_t false_positives = 0;
  const size_t probes = 100000;
  for (size_t i = 0; i < probes; ++i) false_positives += f.MaybeContains(rng());
  EXPECT_LT(false_positives, probes / 20);  // a few percent at most with two layers
  f.DropBefore(f.current_layer());
  EXPECT_LT(f.keys(), n);
}

}  // namespace
}  // namespace ws
