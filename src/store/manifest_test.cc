// MANIFEST of format v2: exact round trips, every damaged byte detected, and
// the checksum repair that lets the fuzzer's damage reach the decoder.
#include "store/manifest.h"

#include <gtest/gtest.h>

namespace ws::store {
namespace {

Manifest Sample() {
  Manifest m;
  m.number = 7;
  m.next_file_number = 20;
  m.last_seq = 9;
  m.log_covered_seq = 8;
  m.app_state = "opaque application state";
  ManifestTable t{"events", TableMode::kAppend, PartitionKind::kDay, {}};
  t.files.push_back({3, 20717, 4, false, 1000, 65536, 0x0123456789abcdefULL});
  t.files.push_back({19, -5, 9, true, 0, 48, 1});
  m.tables.push_back(t);
  return m;
}

TEST(ManifestTest, RoundTrips) {
  const Manifest m = Sample();
  auto back = DecodeManifest(EncodeManifest(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->number, m.number);
  EXPECT_EQ(back->next_file_number, m.next_file_number);
  EXPECT_EQ(back->last_seq, m.last_seq);
  EXPECT_EQ(back->log_covered_seq, m.log_covered_seq);
  EXPECT_EQ(back->app_state, m.app_state);
  ASSERT_EQ(back->tables.size(), 1u);
  EXPECT_EQ(back->tables[0].files, m.tables[0].files);
}

TEST(ManifestTest, EveryFlippedByteIsDetected) {
  const std::string bytes = EncodeManifest(Sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    auto m = DecodeManifest(bad);
    ASSERT_FALSE(m.ok()) << "byte " << i;
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption);
  }
}

TEST(ManifestTest, RepairedChecksumLetsDamageReachTheDecoder) {
  const std::string bytes = EncodeManifest(Sample());
  std::string same = bytes;
  RepairManifestChecksumForTesting(&same);
  EXPECT_EQ(same, bytes) << "an intact manifest is left as it is";

  std::string bad = bytes;
  const size_t at = bad.find("opaque");
  ASSERT_NE(at, std::string::npos);
  bad[at] = 'O';
  EXPECT_FALSE(DecodeManifest(bad).ok());
  RepairManifestChecksumForTesting(&bad);
  auto m = DecodeManifest(bad);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->app_state, "Opaque application state");

  // Structural damage past the checksum is the decoder's to reject.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string d = bytes;
    d[i] = static_cast<char>(d[i] ^ 0x5a);
    RepairManifestChecksumForTesting(&d);
    auto r = DecodeManifest(d);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
      EXPECT_EQ(r.status().message().find("checksum"), std::string::npos) << "byte " << i;
    }
  }
  // Any bytes are accepted.
  for (size_t n : {0, 1, 7, 8, 9}) {
    std::string junk(n, 'x');
    RepairManifestChecksumForTesting(&junk);
    EXPECT_EQ(junk.size(), n);
  }
}

}  // namespace
}  // namespace ws::store
