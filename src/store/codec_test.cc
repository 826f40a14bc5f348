// Column chunk codecs: every encoding round-trips exactly, automatic choice
// picks something decodable, and damaged chunks are errors, not garbage.
#include "store/codec.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace ws::store {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

IntColumn RoundTrip(const IntColumn& v, EncodingHint hint, const IntColumn& ref = {}) {
  EncodedChunk c;
  EncodeIntChunk(v, hint, ref, &c);
  IntColumn out;
  Status st = DecodeIntChunk(c.encoding, c.bytes, v.size(), ref.empty() ? nullptr : &ref, &out);
  EXPECT_TRUE(st.ok()) << st.ToString() << " encoding " << EncodingName(c.encoding);
  return out;
}

std::vector<IntColumn> Samples() {
  std::mt19937_64 rng(7);
  std::vector<IntColumn> out;
  out.push_back({});
  out.push_back({42});
  out.push_back({5, 5, 5, 5, 5});
  out.push_back({kMin, kMax, 0, -1, 1, kMin, kMax});
  IntColumn sorted(1000);
  int64_t t = 1'790'000'000'000;
  for (auto& x : sorted) x = t += static_cast<int64_t>(rng() % 5000);
  out.push_back(sorted);
  for (int width : {1, 7, 8, 13, 31, 32, 33, 55, 56, 57, 63}) {
    IntColumn v(777);
    for (auto& x : v) x = static_cast<int64_t>(rng() & ((uint64_t{1} << width) - 1)) - 3;
    out.push_back(v);
  }
  IntColumn random(500);
  for (auto& x : random) x = static_cast<int64_t>(rng());
  out.push_back(random);
  IntColumn runs;
  for (int i = 0; i < 50; ++i)
    runs.insert(runs.end(), static_cast<size_t>(1 + rng() % 40), static_cast<int64_t>(rng() % 9));
  out.push_back(runs);
  return out;
}

TEST(CodecTest, EveryIntegerEncodingRoundTrips) {
  for (const IntColumn& v : Samples()) {
    IntColumn ref(v.size());
    for (size_t i = 0; i < v.size(); ++i) ref[i] = static_cast<int64_t>(i * 1000);
    for (EncodingHint h : {EncodingHint::kAuto, EncodingHint::kPlain, EncodingHint::kVarint,
                           EncodingHint::kVarintDelta, EncodingHint::kRle}) {
      EXPECT_EQ(RoundTrip(v, h), v) << "hint " << static_cast<int>(h) << " size " << v.size();
    }
    EXPECT_EQ(RoundTrip(v, EncodingHint::kVarintRefDelta, ref), v);
    EXPECT_EQ(RoundTrip(v, EncodingHint::kVarintRefDiff, ref), v);
  }
}

TEST(CodecTest, AutoPicksCompactEncodings) {
  EncodedChunk c;
  IntColumn same(1000, 9);
  EncodeIntChunk(same, EncodingHint::kAuto, {}, &c);
  EXPECT_EQ(c.encoding, Encoding::kConst);
  IntColumn small(1000);
  for (size_t i = 0; i < small.size(); ++i) small[i] = static_cast<int64_t>(i % 16) + 100;
  EncodeIntChunk(small, EncodingHint::kAuto, {}, &c);
  EXPECT_EQ(c.encoding, Encoding::kBitpack);
  EXPECT_LE(c.bytes.size(), 1000 / 2 + 16);  // 4 bits a value
  EXPECT_EQ(c.stats.min, 100);
  EXPECT_EQ(c.stats.max, 115);
  IntColumn ascending(1000);
  for (size_t i = 0; i < ascending.size(); ++i)
    ascending[i] = 1'000'000'000'000 + static_cast<int64_t>(i) * 3;
  EncodeIntChunk(ascending, EncodingHint::kAuto, {}, &c);
  EXPECT_EQ(c.encoding, Encoding::kDeltaBitpack);
}

TEST(CodecTest, BitPackingHandlesEveryWidth) {
  std::mt19937_64 rng(3);
  for (int w = 0; w <= 64; ++w) {
    std::vector<int64_t> v(129);
    const uint64_t mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
    for (auto& x : v) x = static_cast<int64_t>(rng() & mask);
    std::string packed;
    PackBits(v, 0, w, &packed);
    std::vector<int64_t> out(v.size());
    UnpackBits(packed.data(), v.size(), w, 0, out.data());
    EXPECT_EQ(out, v) << "width " << w;
  }
}

TEST(CodecTest, StringEncodingsRoundTrip) {
  std::vector<std::vector<std::string>> samples = {
      {},
      {""},
      {"a", "b", "a", "a", "", "ccc"},
      {"6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f", "6F1C2A4E-8D3B-4C5A-9E7F-0A1B2C3D4E60", "", "legacy session",
       "00000000-0000-0000-0000-000000000001"},
  };
  std::vector<std::string> many;
  for (int i = 0; i < 3000; ++i) many.push_back("user-" + std::to_string(i % 37));
  samples.push_back(many);
  for (const auto& strs : samples) {
    std::vector<std::string_view> views(strs.begin(), strs.end());
    for (EncodingHint h :
         {EncodingHint::kAuto, EncodingHint::kPlain, EncodingHint::kUuid, EncodingHint::kDictUuid}) {
      EncodedChunk c;
      EncodeStringChunk(views, h, /*stats=*/true, &c);
      StringColumn out;
      Status st = DecodeStringChunk(c.encoding, c.bytes, views.size(), &out);
      ASSERT_TRUE(st.ok()) << st.ToString();
      ASSERT_EQ(out.size(), views.size());
      for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(out.at(i), views[i]);
    }
  }
  std::vector<std::string_view> views(many.begin(), many.end());
  EncodedChunk c;
  EncodeStringChunk(views, EncodingHint::kAuto, /*stats=*/true, &c);
  EXPECT_EQ(c.encoding, Encoding::kStrDict);
  StringColumn out;
  ASSERT_TRUE(DecodeStringChunk(c.encoding, c.bytes, views.size(), &out).ok());
  EXPECT_TRUE(out.is_dict());
  EXPECT_EQ(out.dict().size(), 37u);
  EXPECT_EQ(c.stats.smin, "user-0");
  EXPECT_EQ(c.stats.smax, "user-9");
}

TEST(CodecTest, DamagedChunksAreErrors) {
  IntColumn v(300);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i * i);
  for (EncodingHint h :
       {EncodingHint::kAuto, EncodingHint::kPlain, EncodingHint::kVarint, EncodingHint::kRle}) {
    EncodedChunk c;
    EncodeIntChunk(v, h, {}, &c);
    for (size_t cut = 0; cut < c.bytes.size(); cut += 7) {
      IntColumn out;
      EXPECT_FALSE(
          DecodeIntChunk(c.encoding, std::string_view(c.bytes).substr(0, cut), v.size(), nullptr, &out).ok())
          << EncodingName(c.encoding) << " cut at " << cut;
    }
    IntColumn out;
    EXPECT_FALSE(DecodeIntChunk(c.encoding, c.bytes, v.size() + 1, nullptr, &out).ok());
  }
  std::vector<std::string> strs = {"x", "y", "x", "zz"};
  std::vector<std::string_view> views(strs.begin(), strs.end());
  EncodedChunk c;
  EncodeStringChunk(views, EncodingHint::kAuto, /*stats=*/true, &c);
  for (size_t cut = 0; cut < c.bytes.size(); ++cut) {
    StringColumn out;
    EXPECT_FALSE(DecodeStringChunk(c.encoding, c.bytes.substr(0, cut), views.size(), &out).ok()) << cut;
  }
  IntColumn out;
  EXPECT_FALSE(DecodeIntChunk(Encoding::kStrDict, "", 0, nullptr, &out).ok());
}

}  // namespace
}  // namespace ws::store
