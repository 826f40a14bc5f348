#include "store/v1/manifest.h"

#include <gtest/gtest.h>

#include <limits>

namespace ws::store::v1 {
namespace {

TEST(ManifestTest, RoundTripsEveryField) {
  Manifest m;
  m.number = 7;
  m.next_file_number = 12;
  m.state.watermark.v = std::numeric_limits<int64_t>::min();
  m.state.events_accepted = 123456789;
  m.state.events_duplicate = 5;
  m.state.rejected_by_reason = {{"not_json", 3}, {"too_late", 1}};
  m.state.warnings_by_reason = {{"bad_tz", 2}};
  m.files = {{FileKind::kEvents, DayNumber{20000}, 3, 100, 0xdeadbeef},
             {FileKind::kSessions, DayNumber{-1}, 4, 0, 1},
             {FileKind::kQuarantine, DayNumber{0}, 11, 5, 2}};
  Result<Manifest> got = DecodeManifest(EncodeManifest(m));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->number, m.number);
  EXPECT_EQ(got->next_file_number, m.next_file_number);
  EXPECT_EQ(got->state.watermark, m.state.watermark);
  EXPECT_EQ(got->state.events_accepted, m.state.events_accepted);
  EXPECT_EQ(got->state.events_duplicate, m.state.events_duplicate);
  EXPECT_EQ(got->state.rejected_by_reason, m.state.rejected_by_reason);
  EXPECT_EQ(got->state.warnings_by_reason, m.state.warnings_by_reason);
  EXPECT_EQ(got->files, m.files);
}

TEST(ManifestTest, EveryFlippedByteAndTruncationIsCorruption) {
  Manifest m;
  m.number = 2;
  m.next_file_number = 3;
  m.state.rejected_by_reason = {{"not_json", 3}};
  m.files = {{FileKind::kEvents, DayNumber{1}, 1, 10, 20}};
  std::string bytes = EncodeManifest(m);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x01;
    EXPECT_EQ(DecodeManifest(bad).status().code(), StatusCode::kCorruption) << i;
  }
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_EQ(DecodeManifest(bytes.substr(0, len)).status().code(), StatusCode::kCorruption) << len;
  }
}

TEST(CurrentTest, RoundTripAndDamage) {
  std::string bytes = EncodeCurrent(42);
  EXPECT_EQ(bytes.size(), 28u);
  Result<uint64_t> n = DecodeCurrent(bytes);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 42u);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x80;
    EXPECT_EQ(DecodeCurrent(bad).status().code(), StatusCode::kCorruption) << i;
  }
}

TEST(ManifestTest, PathsAndDates) {
  EXPECT_EQ(DayDirName(DayNumber{0}), "1970-01-01");
  EXPECT_EQ(DayDirName(DayNumber{-1}), "1969-12-31");
  EXPECT_EQ(DayDirName(DayNumber{20727}), "2026-10-01");
  EXPECT_EQ(DayDirName(DayNumber{11016}), "2000-02-29");
  EXPECT_EQ(RelativePath({FileKind::kEvents, DayNumber{20727}, 42, 0, 0}), "events/2026-10-01/000042.wse");
  EXPECT_EQ(RelativePath({FileKind::kSessions, DayNumber{0}, 1234567, 0, 0}),
            "sessions/1970-01-01/1234567.wss");
  EXPECT_EQ(RelativePath({FileKind::kQuarantine, DayNumber{0}, 3, 0, 0}), "quarantine/000003.wsq");
  EXPECT_EQ(ManifestFileName(7), "MANIFEST-000007");
}

}  // namespace
}  // namespace ws::store::v1
