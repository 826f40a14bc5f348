// U64Map against std::unordered_map under random puts and erases,
// including keys that collide on their home slot.
#include "util/u64_map.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace ws {
namespace {

TEST(U64MapTest, MatchesAnOracleUnderRandomOperations) {
  std::mt19937_64 rng(1);
  U64Map<int> map;
  std::unordered_map<uint64_t, int> oracle;
  constexpr int kOps = 200000;
  constexpr uint64_t kKeySpace = 5000;  // small: many repeats and erases
  for (int op = 0; op < kOps; ++op) {
    // Multiples of 2^40 share low bits: they collide after hashing often.
    const uint64_t key = (rng() % kKeySpace) << (op % 2 == 0 ? 0 : 40);
    switch (rng() % 3) {
      case 0:
      case 1:
        map.Put(key, op);
        oracle[key] = op;
        break;
      default:
        map.Erase(key);
        oracle.erase(key);
        break;
    }
    if (op % 997 == 0) {
      ASSERT_EQ(map.size(), oracle.size());
      for (const auto& [k, v] : oracle) {
        const int* got = map.Find(k);
        ASSERT_NE(got, nullptr) << k;
        ASSERT_EQ(*got, v);
      }
    }
  }
  size_t seen = 0;
  map.ForEach([&](uint64_t k, int& v) {
    ++seen;
    EXPECT_EQ(oracle.at(k), v);
  });
  EXPECT_EQ(seen, oracle.size());
  EXPECT_EQ(map.Find(kKeySpace + 12345), nullptr);
}

}  // namespace
}  // namespace ws
