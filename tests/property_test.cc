// Property tests (issue 2 "Must show"): the exported sessions are identical
// (a) whatever the order of the events, (b) however they are split into
// files ingested by separate commands, (c) with every event sent twice,
// (d) with the process killed (SIGKILL) mid-ingest and the ingest run again,
// and (e) exports in other processes keep working while an ingest commits.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "test_util.h"

namespace ws::testing {
namespace {

namespace fs = std::filesystem;

class PropertyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    CommandResult g = RunCommand(Binary() + " generate --out " + (*dir_ / "gen") +
                                 " --users 80 --titles 25 --days 4 --seed 7");
    ASSERT_EQ(g.exit_code, 0) << g.out;
    for (const auto& f : fs::directory_iterator(*dir_ / "gen/events")) files_.push_back(f.path().string());
    std::sort(files_.begin(), files_.end());
    ASSERT_FALSE(files_.empty());
    CommandResult cat = RunCommand(Binary() + " --data " + (*dir_ / "base") + " catalog load " +
                                   (*dir_ / "gen/catalog.json") + " " + (*dir_ / "gen/users.csv"));
    ASSERT_EQ(cat.exit_code, 0) << cat.out;
    baseline_ = Ingest("base", files_, "");
    ASSERT_GT(SplitLines(baseline_).size(), 50u);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // Copies the catalog of the baseline store into a new data dir, ingests
  // `files` in one command with --close-all, and exports the sessions.
  static std::string Ingest(const std::string& name, const std::vector<std::string>& files,
                            const std::string& extra, const std::string& ingest_extra = "") {
    std::string data = *dir_ / name;
    PrepareData(name);
    std::string cmd =
        Binary() + " --data " + data + " " + extra + " ingest --quiet --close-all " + ingest_extra;
    for (const auto& f : files) cmd += " " + f;
    CommandResult r = RunCommand(cmd);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return Export(name);
  }

  static void PrepareData(const std::string& name) {
    if (name == "base") return;
    std::string data = *dir_ / name;
    fs::create_directories(data);
    fs::copy_file(*dir_ / "base/catalog.db", data + "/catalog.db", fs::copy_options::overwrite_existing);
  }

  static std::string Export(const std::string& name) {
    CommandResult r = RunStdout(Binary() + " --data " + (*dir_ / name) + " export sessions");
    EXPECT_EQ(r.exit_code, 0);
    return r.out;
  }

  static std::vector<std::string> AllLines() {
    std::vector<std::string> lines;
    for (const auto& f : files_) {
      for (auto& l : SplitLines(ReadFile(f))) lines.push_back(std::move(l));
    }
    return lines;
  }

  static std::string WriteLines(const std::string& name, const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    std::string path = *dir_ / name;
    WriteFile(path, text);
    return path;
  }

  static TempDir* dir_;
  static std::vector<std::string> files_;
  static std::string baseline_;
};

TempDir* PropertyTest::dir_ = nullptr;
std::vector<std::string> PropertyTest::files_;
std::string PropertyTest::baseline_;

TEST_F(PropertyTest, AnyEventOrderGivesTheSameSessions) {
  std::vector<std::string> lines = AllLines();
  std::mt19937_64 rng(11);
  std::shuffle(lines.begin(), lines.end(), rng);
  std::string shuffled = WriteLines("shuffled.ndjson", lines);
  EXPECT_EQ(Ingest("shuffled", {shuffled}, ""), baseline_);
}

TEST_F(PropertyTest, ShuffledWithSmallBatchesAndLongLatenessGivesTheSameSessions) {
  std::vector<std::string> lines = AllLines();
  std::mt19937_64 rng(12);
  std::shuffle(lines.begin(), lines.end(), rng);
  std::string shuffled = WriteLines("shuffled2.ndjson", lines);
  WriteFile(*dir_ / "late.toml", "allowed_lateness = \"365d\"\n");
  std::string data = *dir_ / "shuffled-batches";
  PrepareData("shuffled-batches");
  CommandResult r = RunCommand(Binary() + " --data " + data + " --config " + (*dir_ / "late.toml") +
                               " ingest --quiet --close-all --batch-events 997 " + shuffled);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(Export("shuffled-batches"), baseline_);
}

TEST_F(PropertyTest, SplitIntoFilesIngestedBySeparateCommands) {
  // Contiguous pieces (as a day-by-day backfill would), each its own command.
  std::vector<std::string> lines = AllLines();
  std::string data = *dir_ / "split";
  PrepareData("split");
  const size_t pieces = 5;
  for (size_t i = 0; i < pieces; ++i) {
    size_t a = lines.size() * i / pieces, b = lines.size() * (i + 1) / pieces;
    std::string f = WriteLines("piece" + std::to_string(i) + ".ndjson",
                               std::vector<std::string>(lines.begin() + a, lines.begin() + b));
    CommandResult r = RunCommand(Binary() + " --data " + data + " ingest --quiet " +
                                 (i + 1 == pieces ? "--close-all " : "") + f);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  EXPECT_EQ(Export("split"), baseline_);
}

TEST_F(PropertyTest, RandomSplitIntoSeparateCommands) {
  // Random assignment of events to files: pieces reach far back in time, so
  // lateness must allow it; the result must still be identical.
  std::vector<std::string> lines = AllLines();
  std::mt19937_64 rng(13);
  const int pieces = 4;
  std::vector<std::vector<std::string>> parts(pieces);
  for (auto& l : lines) parts[rng() % pieces].push_back(l);
  WriteFile(*dir_ / "late2.toml", "allowed_lateness = \"365d\"\n");
  std::string data = *dir_ / "rsplit";
  PrepareData("rsplit");
  for (int i = 0; i < pieces; ++i) {
    std::string f = WriteLines("rpiece" + std::to_string(i) + ".ndjson", parts[i]);
    CommandResult r = RunCommand(Binary() + " --data " + data + " --config " + (*dir_ / "late2.toml") +
                                 " ingest --quiet " + (i + 1 == pieces ? "--close-all " : "") + f);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  EXPECT_EQ(Export("rsplit"), baseline_);
}

TEST_F(PropertyTest, EveryEventSentTwice) {
  std::vector<std::string> lines = AllLines();
  std::vector<std::string> twice;
  for (const auto& l : lines) {
    twice.push_back(l);
    twice.push_back(l);
  }
  EXPECT_EQ(Ingest("twice", {WriteLines("twice.ndjson", twice)}, ""), baseline_);
  // The same files ingested again into the same store change nothing.
  std::string cmd = Binary() + " --data " + (*dir_ / "twice") + " ingest --quiet --close-all";
  for (const auto& f : files_) cmd += " " + f;
  ASSERT_EQ(RunCommand(cmd).exit_code, 0);
  EXPECT_EQ(Export("twice"), baseline_);
}

TEST_F(PropertyTest, ParseThreadsDoNotChangeTheResult) {
  // Small chunks would be nicer still; the generated files already give
  // several chunks across files, applied in order whatever the threads.
  for (const char* threads : {"0", "1", "3"}) {
    EXPECT_EQ(Ingest(std::string("threads-") + threads, files_, "",
                     std::string("--batch-events 3000 --parse-threads ") + threads),
              baseline_)
        << threads << " parse threads";
  }
}

TEST_F(PropertyTest, KilledMidIngestThenRunAgain) {
  std::string data = *dir_ / "killed";
  PrepareData("killed");
  std::string files;
  for (const auto& f : files_) files += " " + f;
  // Several attempts killed at growing delays, so some land mid-commit.
  for (int attempt = 0; attempt < 4; ++attempt) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::string cmd = Binary() + " --data " + data + " ingest --quiet --close-all --batch-events 2000" +
                        files + " > /dev/null 2>&1";
      execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(40 + 60 * attempt));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
  }
  CommandResult r = RunCommand(Binary() + " --data " + data + " ingest --quiet --close-all" + files);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(Export("killed"), baseline_);
}

// Readers in other processes (issue 6: "Readers fail while a writer
// commits"): `export sessions` runs in a loop while another process ingests
// 72 K events in batches of 200 (a commit every 200 events, with background
// compaction). Every export must succeed, and none may see fewer sessions
// than the one before it (sessions are only added; one that changes day
// moves within a single commit). The build before issue 6 failed this in
// 4 of 5 tries (one export in ~30: "store file ... is missing although the
// manifest lists it"). The deterministic one-committed-state check is
// SnapshotIsolationTest; this one runs the real binaries as processes.
TEST_F(PropertyTest, ExportsInAnotherProcessSucceedWhileIngestCommits) {
  const std::string gen = *dir_ / "concurrent-gen";
  CommandResult g =
      RunCommand(Binary() + " generate --out " + gen + " --users 400 --titles 50 --days 4 --seed 7");
  ASSERT_EQ(g.exit_code, 0) << g.out;
  std::vector<std::string> inputs;
  for (const auto& f : fs::directory_iterator(gen + "/events")) inputs.push_back(f.path().string());
  std::sort(inputs.begin(), inputs.end());
  std::string files;
  for (const auto& f : inputs) files += " " + f;
  auto prepare = [&](const std::string& data) {
    CommandResult cat = RunCommand(Binary() + " --data " + data + " catalog load " + gen + "/catalog.json " +
                                   gen + "/users.csv");
    ASSERT_EQ(cat.exit_code, 0) << cat.out;
  };
  const std::string expected_dir = *dir_ / "concurrent-expected";
  prepare(expected_dir);
  CommandResult once =
      RunCommand(Binary() + " --data " + expected_dir + " ingest --quiet --close-all" + files);
  ASSERT_EQ(once.exit_code, 0) << once.out;
  const std::string expected = RunStdout(Binary() + " --data " + expected_dir + " export sessions").out;

  const std::string data = *dir_ / "concurrent";
  prepare(data);
  // A first commit, so that the store exists before the readers start.
  CommandResult first = RunCommand(Binary() + " --data " + data + " ingest --quiet " + inputs.front());
  ASSERT_EQ(first.exit_code, 0) << first.out;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string cmd = Binary() + " --data " + data + " ingest --quiet --close-all --batch-events 200" +
                      files + " > /dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  size_t exports = 0;
  size_t previous_sessions = 0;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    CommandResult r = RunStdout(Binary() + " --data " + data + " export sessions");
    if (r.exit_code != 0) {
      waitpid(pid, &status, 0);
      FAIL() << "export " << exports << " failed while the ingest committed";
    }
    const size_t sessions = SplitLines(r.out).size();
    EXPECT_GE(sessions, previous_sessions) << "export " << exports;
    previous_sessions = sessions;
    ++exports;
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the ingest failed";
  RecordProperty("exports_during_ingest", static_cast<int>(exports));
  EXPECT_EQ(RunStdout(Binary() + " --data " + data + " export sessions").out, expected);
}

}  // namespace
}  // namespace ws::testing
