#include "store/v1/table.h"

#include <gtest/gtest.h>

#include <random>

namespace ws::store::v1 {
namespace {

TEST(TableTest, RoundTripsColumnsWithBothCodecs) {
  std::mt19937_64 rng(7);
  std::string random_bytes(4096, '\0');
  for (char& c : random_bytes) c = static_cast<char>(rng());
  std::string repetitive(100000, 'a');
  TableWriter w(kEventSegmentMagic, 42);
  w.AddColumn("rand", ColumnEncoding::kRaw16, random_bytes);
  w.AddColumn("rep", ColumnEncoding::kU8, repetitive);
  w.AddColumn("empty", ColumnEncoding::kStrings, "");
  Result<std::string> file = w.Finish();
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_LT(file->size(), random_bytes.size() + 2000);  // repetitive column compressed
  Result<TableReader> r = TableReader::Open(*file, kEventSegmentMagic);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows(), 42u);
  Result<std::string_view> c = r->Column("rand", ColumnEncoding::kRaw16);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, random_bytes);
  c = r->Column("rep", ColumnEncoding::kU8);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, repetitive);
  c = r->Column("empty", ColumnEncoding::kStrings);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, "");
  EXPECT_EQ(r->Column("nope", ColumnEncoding::kU8).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r->Column("rep", ColumnEncoding::kVarint).status().code(), StatusCode::kCorruption);
}

TEST(TableTest, RejectsOtherMagicAndEveryFlippedByte) {
  TableWriter w(kQuarantineMagic, 3);
  w.AddColumn("a", ColumnEncoding::kU8, "abc");
  w.AddColumn("b", ColumnEncoding::kStrings, std::string(300, 'z'));
  Result<std::string> file = w.Finish();
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(TableReader::Open(*file, kEventSegmentMagic).status().code(), StatusCode::kCorruption);
  for (size_t i = 0; i < file->size(); ++i) {
    std::string bad = *file;
    bad[i] ^= 0x20;
    Result<TableReader> r = TableReader::Open(bad, kQuarantineMagic);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << i;
      continue;
    }
    // Every byte is covered by a checksum: the open itself must fail.
    ADD_FAILURE() << "flipped byte " << i << " was not detected";
  }
  for (size_t len = 0; len < file->size(); ++len) {
    EXPECT_FALSE(TableReader::Open(file->substr(0, len), kQuarantineMagic).ok()) << len;
  }
}

}  // namespace
}  // namespace ws::store::v1
