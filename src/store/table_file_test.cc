// Table files of format v2: multi-block round trips, statistics, and every
// damaged byte detected.
#include "store/table_file.h"

#include <gtest/gtest.h>

#include <random>

#include "store/encoding.h"

namespace ws::store {
namespace {

TableSchema Schema() {
  TableSchema s;
  s.name = "t";
  s.version = 3;
  s.columns = {
      {"id", ColumnType::kString, EncodingHint::kUuid, ""},
      {"ts", ColumnType::kInt64, EncodingHint::kVarintDelta, ""},
      {"pos", ColumnType::kInt64, EncodingHint::kVarintRefDelta, "ts"},
      {"n", ColumnType::kInt64, EncodingHint::kAuto, ""},
      {"name", ColumnType::kString, EncodingHint::kAuto, ""},
  };
  return s;
}

struct Rows {
  std::vector<std::string> ids, names;
  IntColumn ts, pos, n;
};

Rows MakeRows(size_t count) {
  Rows r;
  std::mt19937_64 rng(5);
  int64_t t = 1'790'000'000'000;
  for (size_t i = 0; i < count; ++i) {
    r.ids.push_back("id-" + std::to_string(i));
    r.names.push_back("name-" + std::to_string(rng() % 50));
    t += static_cast<int64_t>(rng() % 10000);
    r.ts.push_back(t);
    r.pos.push_back(t / 3 + static_cast<int64_t>(rng() % 5));
    r.n.push_back(static_cast<int64_t>(i % 1000));
  }
  return r;
}

std::string Build(const TableSchema& schema, const Rows& r) {
  TableFileBuilder b(&schema);
  for (size_t i = 0; i < r.ids.size(); ++i) {
    b.strings(0).push_back(r.ids[i]);
    b.strings(4).push_back(r.names[i]);
  }
  b.ints(1) = r.ts;
  b.ints(2) = r.pos;
  b.ints(3) = r.n;
  Result<std::string> image = b.Finish();
  EXPECT_TRUE(image.ok()) << image.status().ToString();
  return *image;
}

TEST(TableFileTest, RoundTripsAcrossBlocks) {
  TableSchema schema = Schema();
  ASSERT_TRUE(ValidateSchema(schema).ok());
  const size_t count = 2 * kBlockRows + 1234;
  Rows r = MakeRows(count);
  auto file = TableFile::FromImage(Build(schema, r), "mem");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const TableFile& f = **file;
  EXPECT_EQ(f.rows(), count);
  ASSERT_EQ(f.block_count(), 3u);
  EXPECT_EQ(f.footer().table, "t");
  EXPECT_EQ(f.footer().schema_version, 3u);
  EXPECT_EQ(f.footer().columns[2].ref, 1);
  size_t row = 0;
  for (size_t b = 0; b < f.block_count(); ++b) {
    IntColumn ts, pos, n;
    StringColumn ids, names;
    ASSERT_TRUE(f.ReadInt(b, 1, &ts).ok());
    ASSERT_TRUE(f.ReadInt(b, 2, &pos).ok());
    ASSERT_TRUE(f.ReadInt(b, 3, &n).ok());
    ASSERT_TRUE(f.ReadString(b, 0, &ids).ok());
    ASSERT_TRUE(f.ReadString(b, 4, &names).ok());
    const ChunkStats& st = f.footer().blocks[b].chunks[1].stats;
    ASSERT_TRUE(st.has_int);
    EXPECT_EQ(st.min, r.ts[row]);
    EXPECT_EQ(st.max, r.ts[row + ts.size() - 1]);
    for (size_t i = 0; i < ts.size(); ++i, ++row) {
      ASSERT_EQ(ts[i], r.ts[row]);
      ASSERT_EQ(pos[i], r.pos[row]);
      ASSERT_EQ(n[i], r.n[row]);
      ASSERT_EQ(ids.at(i), r.ids[row]);
      ASSERT_EQ(names.at(i), r.names[row]);
    }
  }
  EXPECT_EQ(row, count);
}

TEST(TableFileTest, EmptyTableHasOneEmptyBlock) {
  TableSchema schema = Schema();
  auto file = TableFile::FromImage(Build(schema, Rows{}), "mem");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->rows(), 0u);
  IntColumn v;
  ASSERT_TRUE((*file)->ReadInt(0, 3, &v).ok());
  EXPECT_TRUE(v.empty());
}

TEST(TableFileTest, ColumnsOfDifferentLengthsAreRejected) {
  TableSchema schema = Schema();
  TableFileBuilder b(&schema);
  b.ints(1).push_back(1);
  EXPECT_EQ(b.Finish().status().code(), StatusCode::kInvalidArgument);
}

TEST(TableFileTest, EveryFlippedByteIsDetected) {
  TableSchema schema = Schema();
  std::string image = Build(schema, MakeRows(300));
  for (size_t i = 0; i < image.size(); ++i) {
    std::string bad = image;
    bad[i] = static_cast<char>(bad[i] ^ 0x40);
    auto file = TableFile::FromImage(bad, "mem");
    if (!file.ok()) {
      EXPECT_EQ(file.status().code(), StatusCode::kCorruption);
      continue;
    }
    // The damage is in a chunk: reading every chunk must fail somewhere.
    bool failed = false;
    for (size_t c = 0; c < schema.columns.size() && !failed; ++c) {
      std::string raw;
      failed = !(*file)->ReadChunk(0, c, &raw).ok();
    }
    EXPECT_TRUE(failed) << "byte " << i << " of " << image.size();
  }
}

// The footer offset an image's trailer records.
size_t FooterOffset(const std::string& image) {
  constexpr size_t kTrailerBytes = 24;
  return static_cast<size_t>(LoadFixed64(image.data() + image.size() - kTrailerBytes));
}

// Reads every chunk of block 0; each read succeeds or fails with kCorruption
// from a decoder, never from a checksum.
void ExpectDecodersReached(const TableFile& f, const TableSchema& schema, size_t byte) {
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    IntColumn ints;
    StringColumn strings;
    Status st =
        schema.columns[c].type == ColumnType::kInt64 ? f.ReadInt(0, c, &ints) : f.ReadString(0, c, &strings);
    if (st.ok()) continue;
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "byte " << byte << ": " << st.ToString();
    EXPECT_EQ(st.message().find("checksum"), std::string::npos) << "byte " << byte << ": " << st.ToString();
  }
}

TEST(TableFileTest, RepairChecksumsLeavesAnIntactImageAlone) {
  TableSchema schema = Schema();
  const std::string image = Build(schema, MakeRows(300));
  std::string repaired = image;
  RepairChecksumsForTesting(&repaired);
  EXPECT_EQ(repaired, image);
  // Any bytes at all are accepted.
  for (size_t n : {0, 1, 23, 24, 47, 48, 100}) {
    std::string junk(n, '\xff');
    RepairChecksumsForTesting(&junk);
    EXPECT_EQ(junk.size(), n);
  }
}

TEST(TableFileTest, RepairedChunkDamageReachesTheDecoders) {
  TableSchema schema = Schema();
  const std::string image = Build(schema, MakeRows(300));
  const size_t footer = FooterOffset(image);
  constexpr size_t kHeaderBytes = 24;
  for (size_t i = kHeaderBytes; i < footer; ++i) {
    std::string bad = image;
    bad[i] = static_cast<char>(bad[i] ^ 0x40);
    RepairChecksumsForTesting(&bad);
    auto file = TableFile::FromImage(bad, "mem");
    ASSERT_TRUE(file.ok()) << "byte " << i << ": " << file.status().ToString();
    ExpectDecodersReached(**file, schema, i);
  }
}

TEST(TableFileTest, RepairedFooterDamageReachesTheFooterParser) {
  TableSchema schema = Schema();
  const std::string image = Build(schema, MakeRows(300));
  for (size_t i = FooterOffset(image); i < image.size(); ++i) {
    std::string bad = image;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    RepairChecksumsForTesting(&bad);
    auto file = TableFile::FromImage(bad, "mem");
    if (!file.ok()) {
      EXPECT_EQ(file.status().code(), StatusCode::kCorruption);
      EXPECT_EQ(file.status().message().find("footer checksum"), std::string::npos)
          << "byte " << i << ": " << file.status().ToString();
      continue;
    }
    ExpectDecodersReached(**file, schema, i);
  }
}

TEST(TableFileTest, BadSchemasAreRejected) {
  TableSchema s = Schema();
  s.columns[2].ref = "nope";
  EXPECT_FALSE(ValidateSchema(s).ok());
  s = Schema();
  s.columns.push_back(s.columns[0]);
  EXPECT_FALSE(ValidateSchema(s).ok());
  s = Schema();
  s.columns[0].hint = EncodingHint::kVarint;
  EXPECT_FALSE(ValidateSchema(s).ok());
}

}  // namespace
}  // namespace ws::store
