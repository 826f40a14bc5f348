#include "store/encoding.h"

#include <gtest/gtest.h>

#include <limits>

namespace ws::store {
namespace {

TEST(EncodingTest, VarintAndZigZagRoundTripExtremes) {
  const int64_t values[] = {0,
                            1,
                            -1,
                            63,
                            -64,
                            64,
                            300,
                            -300,
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min(),
                            -1};
  ByteSink sink;
  for (int64_t v : values) sink.PutZigZag(v);
  sink.PutVarint(std::numeric_limits<uint64_t>::max());
  std::string bytes = sink.Finish();
  ByteSource src(bytes);
  for (int64_t v : values) {
    int64_t got;
    ASSERT_TRUE(src.GetZigZag(&got));
    EXPECT_EQ(got, v);
  }
  uint64_t big;
  ASSERT_TRUE(src.GetVarint(&big));
  EXPECT_EQ(big, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(src.done());
}

TEST(EncodingTest, MalformedVarintsAreRejected) {
  std::string unterminated = "\x80\x80";
  ByteSource a(unterminated);
  uint64_t v;
  EXPECT_FALSE(a.GetVarint(&v));
  std::string overflow(10, '\xff');
  overflow.push_back('\x01');
  ByteSource b(overflow);
  EXPECT_FALSE(b.GetVarint(&v));
  std::vector<uint64_t> out;
  EXPECT_EQ(DecodeVarints("\x80", &out).code(), StatusCode::kCorruption);
}

TEST(EncodingTest, UuidParseAndFormat) {
  const std::string canonical = "0f8fad5b-d9cb-469f-a165-70867728950e";
  uint8_t bytes[kUuidBytes];
  ASSERT_TRUE(ParseCanonicalUuid(canonical, bytes));
  char text[kUuidTextLength];
  FormatUuid(bytes, text);
  EXPECT_EQ(std::string(text, kUuidTextLength), canonical);
  EXPECT_FALSE(ParseCanonicalUuid("0F8FAD5B-D9CB-469F-A165-70867728950E", bytes));
  EXPECT_FALSE(ParseCanonicalUuid("{0f8fad5b-d9cb-469f-a165-70867728950e}", bytes));
  EXPECT_FALSE(ParseCanonicalUuid("0f8fad5bd9cb469fa16570867728950e", bytes));
  EXPECT_FALSE(ParseCanonicalUuid("0f8fad5b-d9cb-469f-a165-70867728950g", bytes));
  EXPECT_FALSE(ParseCanonicalUuid("0f8fad5b-d9cb-469f-a165_70867728950e", bytes));
  EXPECT_FALSE(ParseCanonicalUuid("", bytes));
}

TEST(EncodingTest, UuidColumnRoundTripsEveryKind) {
  const std::vector<std::string> in = {
      "0f8fad5b-d9cb-469f-a165-70867728950e",
      "",
      "0F8FAD5B-D9CB-469F-A165-70867728950E",  // upper case: kept as text
      "evt-1",
      "00000000-0000-0000-0000-000000000000",
      std::string("nul\0byte", 8),
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
  };
  UuidColumnEncoder enc;
  for (const std::string& s : in) enc.Add(s);
  std::string kinds = enc.kinds.Finish();
  std::string uuids = enc.uuids.Finish();
  std::string texts = enc.texts.Finish();
  EXPECT_EQ(uuids.size(), 3 * kUuidBytes);
  StringArena arena;
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeUuidColumn(kinds, uuids, texts, in.size(), &arena, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], in[i]);
  // Wrong counts and trailing bytes are corruption.
  EXPECT_EQ(DecodeUuidColumn(kinds, uuids, texts, in.size() + 1, &arena, &out).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeUuidColumn(kinds, uuids + "x", texts, in.size(), &arena, &out).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeUuidColumn(kinds, uuids.substr(1), texts, in.size(), &arena, &out).code(),
            StatusCode::kCorruption);
  std::string bad_kinds = kinds;
  bad_kinds[0] = 7;
  EXPECT_EQ(DecodeUuidColumn(bad_kinds, uuids, texts, in.size(), &arena, &out).code(),
            StatusCode::kCorruption);
}

TEST(EncodingTest, RleRoundTripAndCountChecks) {
  const std::vector<int64_t> in = {5, 5, 5, -1, -1, 0, std::numeric_limits<int64_t>::min(), 7, 7};
  RleEncoder enc;
  for (int64_t v : in) enc.Add(v);
  std::string block = enc.Finish();
  std::vector<int64_t> out;
  ASSERT_TRUE(DecodeRle(block, in.size(), &out).ok());
  EXPECT_EQ(out, in);
  EXPECT_EQ(DecodeRle(block, in.size() - 1, &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeRle(block, in.size() + 1, &out).code(), StatusCode::kCorruption);
  RleEncoder empty;
  ASSERT_TRUE(DecodeRle(empty.Finish(), 0, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(EncodingTest, DictRleRoundTripAndIndexChecks) {
  const std::vector<std::string> in = {"a", "a", "", "bb", "a", "", "", "ccc"};
  DictRleEncoder enc;
  for (const std::string& s : in) enc.Add(s);
  std::string block = enc.Finish();
  StringArena arena;
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeDictRle(block, in.size(), &arena, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], in[i]);
  EXPECT_EQ(DecodeDictRle(block, in.size() + 1, &arena, &out).code(), StatusCode::kCorruption);
  // Dictionary of one entry "x", run referencing index 1.
  std::string bad = "\x01\x01x\x01\x01";
  EXPECT_EQ(DecodeDictRle(bad, 1, &arena, &out).code(), StatusCode::kCorruption);
}

TEST(EncodingTest, StringsAndZigZagColumnsCheckCounts) {
  ByteSink s;
  s.PutString("hello");
  s.PutString("");
  std::string block = s.Finish();
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeStrings(block, 2, &out).ok());
  EXPECT_EQ(out[0], "hello");
  EXPECT_EQ(out[1], "");
  EXPECT_EQ(DecodeStrings(block, 3, &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeStrings(block, 1, &out).code(), StatusCode::kCorruption);
  std::vector<int64_t> ints;
  EXPECT_EQ(DecodeZigZags("\x02\x04", 3, &ints).code(), StatusCode::kCorruption);
  ASSERT_TRUE(DecodeZigZags("\x02\x03", 2, &ints).ok());
  EXPECT_EQ(ints, (std::vector<int64_t>{1, -2}));
}

}  // namespace
}  // namespace ws::store
