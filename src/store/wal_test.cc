// The write-ahead log: group commit from many threads, recovery in order,
// torn tails cut back to their clean prefix, acknowledged records surviving
// a crash at any step, and trimming once the store covers them.
#include "store/wal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "util/mem_env.h"

namespace ws::store {
namespace {

constexpr char kDir[] = "/db";

std::vector<std::pair<uint64_t, std::string>> Recover(Env* env, uint64_t after,
                                                      WalRecoveryReport* report = nullptr) {
  std::vector<std::pair<uint64_t, std::string>> out;
  auto r = RecoverWal(env, kDir, after, [&](uint64_t seq, std::string_view payload) {
    out.emplace_back(seq, std::string(payload));
    return Status::Ok();
  });
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (report != nullptr && r.ok()) *report = *r;
  return out;
}

std::unique_ptr<WalWriter> OpenWriter(Env* env, WalOptions options = {}) {
  WalRecoveryReport report;
  Recover(env, 0, &report);
  auto w = WalWriter::Open(env, kDir, report, report.last_seq + 1, options);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return std::move(w).value();
}

std::string Payload(int i) {
  return "record " + std::to_string(i) + std::string(static_cast<size_t>(i % 50), 'x');
}

TEST(WalTest, ConcurrentAppendsAreGroupedAndRecoveredInOrder) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs(kDir).ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::map<uint64_t, std::string> acked;
  std::mutex mu;
  {
    auto w = OpenWriter(&env);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string p = Payload(t * kPerThread + i);
          auto seq = w->Append(p);
          ASSERT_TRUE(seq.ok());
          std::lock_guard<std::mutex> l(mu);
          acked[*seq] = p;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(w->records(), static_cast<uint64_t>(kThreads * kPerThread));
    EXPECT_LE(w->groups(), w->records());
    std::printf("%llu records in %llu groups\n", static_cast<unsigned long long>(w->records()),
                static_cast<unsigned long long>(w->groups()));
  }
  env.SimulateCrash();
  auto got = Recover(&env, 0);
  ASSERT_EQ(got.size(), acked.size());
  uint64_t expect = 1;
  for (const auto& [seq, payload] : got) {
    EXPECT_EQ(seq, expect++);
    EXPECT_EQ(payload, acked[seq]);
  }
  EXPECT_EQ(Recover(&env, 1000).size(), static_cast<size_t>(kThreads * kPerThread - 1000));
}

TEST(WalTest, TornTailIsCutToItsCleanPrefix) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs(kDir).ok());
  {
    auto w = OpenWriter(&env);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(w->Append(Payload(i)).ok());
  }
  const std::string path = std::string(kDir) + "/wal/000001.wsl";
  auto size = env.FileSize(path);
  ASSERT_TRUE(size.ok());
  ASSERT_TRUE(env.TruncateFile(path, *size - 3).ok());
  WalRecoveryReport report;
  auto got = Recover(&env, 0, &report);
  EXPECT_EQ(got.size(), 4u);
  EXPECT_EQ(report.torn_file, path);
  EXPECT_GT(report.torn_bytes, 0u);
  // The file was cut: a second recovery finds nothing torn.
  auto again = Recover(&env, 0, &report);
  EXPECT_EQ(again.size(), 4u);
  EXPECT_EQ(report.torn_bytes, 0u);
  // Appends continue after the clean prefix.
  {
    auto w = OpenWriter(&env);
    auto seq = w->Append("after");
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(*seq, 5u);
  }
  EXPECT_EQ(Recover(&env, 0).back().second, "after");
}

TEST(WalTest, DamageBeforeTheNewestFileIsCorruption) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs(kDir).ok());
  WalOptions small;
  small.max_file_bytes = 64;  // one record per file
  {
    auto w = OpenWriter(&env, small);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->Append(Payload(i)).ok());
  }
  const std::string path = std::string(kDir) + "/wal/000001.wsl";
  auto bytes = env.ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  std::string bad = *bytes;
  bad[bad.size() - 2] ^= 1;
  ASSERT_TRUE(env.WriteFileSynced(path, bad).ok());
  auto r = RecoverWal(&env, kDir, 0, [](uint64_t, std::string_view) { return Status::Ok(); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("000001.wsl"), std::string::npos);
}

TEST(WalTest, RepairedChecksumsLetDamagedPayloadsThrough) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs(kDir).ok());
  WalOptions stored;
  stored.compress = false;  // payload bytes are in the file as they are
  {
    auto w = OpenWriter(&env, stored);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->Append(Payload(i)).ok());
  }
  const std::string path = std::string(kDir) + "/wal/000001.wsl";
  auto bytes = env.ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  std::string repaired = *bytes;
  RepairWalChecksumsForTesting(&repaired);
  EXPECT_EQ(repaired, *bytes) << "an intact log is left as it is";

  // The last byte of the file is the last byte of the last payload.
  std::string bad = *bytes;
  bad.back() = 'Y';
  ASSERT_TRUE(env.WriteFileSynced(path, bad).ok());
  WalRecoveryReport report;
  EXPECT_EQ(Recover(&env, 0, &report).size(), 2u) << "unrepaired, the damaged record is a torn tail";
  EXPECT_GT(report.torn_bytes, 0u);

  RepairWalChecksumsForTesting(&bad);
  ASSERT_TRUE(env.WriteFileSynced(path, bad).ok());
  auto got = Recover(&env, 0, &report);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(report.torn_bytes, 0u);
  std::string expected = Payload(2);
  expected.back() = 'Y';
  EXPECT_EQ(got[2].second, expected);

  // Any bytes are accepted, and a record running past the end stays torn.
  for (size_t n : {0, 1, 31, 32, 33, 64, 65}) {
    std::string junk = bad.substr(0, std::min(n, bad.size()));
    RepairWalChecksumsForTesting(&junk);
    EXPECT_EQ(junk.size(), std::min(n, bad.size()));
  }
}

TEST(WalTest, CoveredFilesAreDeleted) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs(kDir).ok());
  WalOptions small;
  small.max_file_bytes = 64;
  auto w = OpenWriter(&env, small);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(w->Append(Payload(i)).ok());
  auto count = [&] { return env.ListDir(std::string(kDir) + "/wal")->size(); };
  EXPECT_EQ(count(), 5u);  // four full files and the current one
  ASSERT_TRUE(w->DeleteCovered(2).ok());
  EXPECT_EQ(count(), 3u);
  ASSERT_TRUE(w->DeleteCovered(4).ok());
  EXPECT_EQ(count(), 1u);
  EXPECT_TRUE(Recover(&env, 4).empty());
}

TEST(WalTest, AcknowledgedRecordsSurviveACrashAtAnyStep) {
  size_t points = 0;
  for (uint64_t k = 1;; ++k) {
    MemEnv env;
    ASSERT_TRUE(env.MakeDirs(kDir).ok());
    env.CrashAfter({MemEnv::Op::kWrite, MemEnv::Op::kSync, MemEnv::Op::kSyncDir, MemEnv::Op::kCreate}, k);
    std::vector<std::string> acked;
    {
      WalRecoveryReport none;
      auto w = WalWriter::Open(&env, kDir, none, 1);
      if (w.ok()) {
        for (int i = 0; i < 4; ++i) {
          std::string p = Payload(i);
          if ((*w)->Append(p).ok()) acked.push_back(p);
        }
      }
    }
    const bool crashed = env.crashed();
    env.SimulateCrash();
    auto got = Recover(&env, 0);
    ASSERT_GE(got.size(), acked.size()) << "crash point " << k;
    for (size_t i = 0; i < acked.size(); ++i) EXPECT_EQ(got[i].second, acked[i]) << "crash point " << k;
    if (!crashed) break;
    ++points;
  }
  EXPECT_GE(points, 8u);
}

TEST(WalTest, FailedFsyncFailsThisAndEveryLaterAppend) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs(kDir).ok());
  auto w = OpenWriter(&env);
  ASSERT_TRUE(w->Append("a").ok());
  env.FailAt(MemEnv::Op::kSync, 1, MemEnv::Action::kIOError);
  EXPECT_FALSE(w->Append("b").ok());
  EXPECT_FALSE(w->Append("c").ok());
}

}  // namespace
}  // namespace ws::store
