#include "gen/generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gen/text.h"

namespace ws {
namespace {

namespace fs = std::filesystem;

constexpr int kDays = 3;
const int64_t kFirstDay = gen::DaysFromCivil(2026, 10, 1);  // the default start_date
constexpr int kMaxLateDays = 2;

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("ws-gen-test-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

GeneratorOptions SmallOptions(const fs::path& dir) {
  GeneratorOptions o;
  o.out_dir = dir.string();
  o.users = 50;
  o.titles = 20;
  o.days = kDays;
  // More noise than the defaults so that every kind shows up in a small run.
  o.duplicate_rate = 0.02;
  o.late_rate = 0.01;
  o.malformed_rate = 0.005;
  return o;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Relative path -> contents of every file under `dir`.
std::map<std::string, std::string> ReadTree(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), dir).string()] = ReadFile(entry.path());
  }
  return files;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool IsUuidV4(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

// Parses "YYYY-MM-DDTHH:MM:SS.mmm" followed by 'Z' or "+HH:MM"/"-HH:MM".
std::optional<int64_t> ParseTs(std::string_view s) {
  if (s.size() < 24 || s[10] != 'T') return std::nullopt;
  int64_t day = 0;
  if (!gen::ParseIsoDate(s.substr(0, 10), &day)) return std::nullopt;
  auto num = [&](size_t at, size_t len) -> int64_t {
    int64_t v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const int64_t h = num(11, 2), m = num(14, 2), sec = num(17, 2), ms = num(20, 3);
  if (h < 0 || m < 0 || sec < 0 || ms < 0 || s[19] != '.') return std::nullopt;
  int64_t t = day * gen::kMsPerDay + h * gen::kMsPerHour + m * gen::kMsPerMinute + sec * 1000 + ms;
  if (s.substr(23) == "Z") return t;
  if (s.size() != 29 || (s[23] != '+' && s[23] != '-') || s[26] != ':') return std::nullopt;
  const int64_t offset = num(24, 2) * 60 + num(27, 2);
  return t - (s[23] == '+' ? offset : -offset) * gen::kMsPerMinute;
}

struct CheckedEvent {
  std::string event_id;
  std::string session_id;
  int64_t ts = 0;
};

// Returns the event when the line is a valid SPEC 1 event with the fields the
// generator always writes, else nullopt.
std::optional<CheckedEvent> CheckEvent(simdjson::dom::parser& parser, const std::string& line) {
  static const std::set<std::string_view> kTypes = {"start", "heartbeat",    "pause",      "resume",
                                                    "seek",  "buffer_start", "buffer_end", "quality_change",
                                                    "stop",  "complete"};
  simdjson::dom::element doc;
  if (parser.parse(line).get(doc)) return std::nullopt;
  CheckedEvent ev;
  std::string_view sv;
  if (doc["event_id"].get(sv) || !IsUuidV4(sv)) return std::nullopt;
  ev.event_id = sv;
  if (doc["session_id"].get(sv) || !IsUuidV4(sv)) return std::nullopt;
  ev.session_id = sv;
  for (const char* field : {"user_id", "content_id", "device_id", "device_type", "platform", "country"}) {
    if (doc[field].get(sv) || sv.empty()) return std::nullopt;
  }
  if (doc["type"].get(sv) || !kTypes.contains(sv)) return std::nullopt;
  const simdjson::dom::element ts = doc["ts"];
  int64_t epoch = 0;
  if (ts.is_string()) {
    const auto parsed = ParseTs(ts.get_string().value());
    if (!parsed) return std::nullopt;
    ev.ts = *parsed;
  } else if (!ts.get(epoch)) {
    ev.ts = epoch;
  } else {
    return std::nullopt;
  }
  double position = 0;
  if (doc["position"].get(position) || position < 0) return std::nullopt;
  return ev;
}

TEST(GeneratorTest, SameSeedGivesByteIdenticalFiles) {
  TempDir a("same-a"), b("same-b");
  const auto ra = Generate(SmallOptions(a.path()));
  const auto rb = Generate(SmallOptions(b.path()));
  ASSERT_TRUE(ra.ok()) << ra.status().message();
  ASSERT_TRUE(rb.ok()) << rb.status().message();
  const auto ta = ReadTree(a.path());
  const auto tb = ReadTree(b.path());
  ASSERT_EQ(ta.size(), 3u + kDays);
  EXPECT_TRUE(ta == tb);
  EXPECT_EQ(ra->events, rb->events);
  EXPECT_EQ(ra->bytes, rb->bytes);
}

TEST(GeneratorTest, DifferentSeedGivesDifferentFiles) {
  TempDir a("seed-a"), b("seed-b");
  GeneratorOptions oa = SmallOptions(a.path());
  GeneratorOptions ob = SmallOptions(b.path());
  ob.seed = oa.seed + 1;
  ASSERT_TRUE(Generate(oa).ok());
  ASSERT_TRUE(Generate(ob).ok());
  const auto ta = ReadTree(a.path());
  const auto tb = ReadTree(b.path());
  EXPECT_NE(ta.at("catalog.json"), tb.at("catalog.json"));
  EXPECT_NE(ta.at("users.csv"), tb.at("users.csv"));
  EXPECT_NE(ta.at("events/events-2026-10-01.ndjson"), tb.at("events/events-2026-10-01.ndjson"));
}

TEST(GeneratorTest, StatsMatchTheFilesAndEventsAreWellFormed) {
  TempDir dir("stats");
  int progress_calls = 0;
  const auto r = Generate(SmallOptions(dir.path()), [&](int day, int days) {
    ++progress_calls;
    EXPECT_EQ(day, progress_calls);
    EXPECT_EQ(days, kDays);
  });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(progress_calls, kDays);
  EXPECT_EQ(r->users, 50u);
  EXPECT_EQ(r->titles, 20u);
  EXPECT_GT(r->episodes, 0u);

  simdjson::dom::parser parser;
  uint64_t lines = 0, invalid = 0, late = 0, bytes = 0;
  std::map<std::string, std::vector<std::string>> by_id;
  std::set<std::string> sessions;
  for (int d = 0; d < kDays; ++d) {
    char name[64];
    gen::LineBuilder b(name);
    b.Lit("events-");
    b.Date(kFirstDay + d);
    b.Lit(".ndjson");
    const fs::path path = dir.path() / "events" / std::string(b.view());
    ASSERT_TRUE(fs::exists(path)) << path;
    const std::string text = ReadFile(path);
    bytes += text.size();
    for (const std::string& line : Lines(text)) {
      ++lines;
      const auto ev = CheckEvent(parser, line);
      if (!ev) {
        ++invalid;
        continue;
      }
      by_id[ev->event_id].push_back(line);
      sessions.insert(ev->session_id);
      const int64_t ts_day = gen::DayOfMs(ev->ts);
      const int64_t file_day = kFirstDay + d;
      ASSERT_LE(ts_day, file_day) << line;
      ASSERT_GE(ts_day, file_day - kMaxLateDays) << line;
      if (ts_day < file_day) ++late;
    }
  }
  EXPECT_EQ(lines, r->events);
  EXPECT_GT(lines, 1000u);
  EXPECT_EQ(invalid, r->malformed);
  EXPECT_GT(r->malformed, 0u);
  EXPECT_EQ(late, r->late);
  EXPECT_GT(r->late, 0u);
  uint64_t extra_copies = 0;
  for (const auto& [id, copies] : by_id) {
    extra_copies += copies.size() - 1;
    for (const std::string& c : copies) EXPECT_EQ(c, copies.front()) << "copies of " << id << " differ";
  }
  EXPECT_EQ(extra_copies, r->duplicates);
  EXPECT_GT(r->duplicates, 0u);
  EXPECT_LE(sessions.size(), r->sessions);
  EXPECT_GE(sessions.size() + r->malformed, r->sessions);

  const uint64_t other_bytes = fs::file_size(dir.path() / "catalog.json") +
                               fs::file_size(dir.path() / "catalog-2.json") +
                               fs::file_size(dir.path() / "users.csv");
  EXPECT_EQ(bytes + other_bytes, r->bytes);
}

TEST(GeneratorTest, UsersCsvHasTheSpecColumns) {
  TempDir dir("users");
  ASSERT_TRUE(Generate(SmallOptions(dir.path())).ok());
  const auto lines = Lines(ReadFile(dir.path() / "users.csv"));
  ASSERT_EQ(lines.size(), 51u);
  EXPECT_EQ(lines[0],
            "user_id,age,country,subscription_type,registration_date,languages,timezone,marketing_opt_in");
  EXPECT_EQ(lines[1].rfind("u-000001,", 0), 0u);
  for (size_t i = 1; i < lines.size(); ++i) EXPECT_EQ(std::count(lines[i].begin(), lines[i].end(), ','), 7);
}

TEST(GeneratorTest, SecondCatalogSnapshotEndsSomeSeriesDuringThePeriod) {
  TempDir dir("catalog");
  GeneratorOptions o = SmallOptions(dir.path());
  o.titles = 60;
  ASSERT_TRUE(Generate(o).ok());
  simdjson::dom::parser p1, p2;
  simdjson::dom::element c1, c2;
  ASSERT_FALSE(p1.load((dir.path() / "catalog.json").string()).get(c1));
  ASSERT_FALSE(p2.load((dir.path() / "catalog-2.json").string()).get(c2));
  std::map<std::string, std::string> status1;
  for (simdjson::dom::element t : c1.get_array()) {
    std::string_view status;
    if (!t["production_status"].get(status))
      status1[std::string(t["content_id"].get_string().value())] = status;
  }
  ASSERT_FALSE(status1.empty());
  int ended = 0;
  for (simdjson::dom::element t : c2.get_array()) {
    std::string_view status;
    if (t["production_status"].get(status)) continue;
    const std::string id(t["content_id"].get_string().value());
    if (status1.at(id) == "in_production" && status == "ended") {
      ++ended;
      simdjson::dom::element end = t["production_end_date"];
      std::string_view text;
      if (end.is_object()) {
        ASSERT_FALSE(end["$date"].get(text));
        text = text.substr(0, 10);
      } else {
        ASSERT_FALSE(end.get(text));
      }
      int64_t day = 0;
      ASSERT_TRUE(gen::ParseIsoDate(text, &day)) << text;
      EXPECT_GE(day, kFirstDay);
      EXPECT_LT(day, kFirstDay + kDays);
    }
  }
  EXPECT_GE(ended, 1);
}

TEST(GeneratorTest, UncreatableOutputDirectoryIsAnIoErrorNamingThePath) {
  TempDir dir("blocked");
  fs::create_directories(dir.path());
  const fs::path file = dir.path() / "plain-file";
  std::ofstream(file) << "x";
  const auto r = Generate(SmallOptions(file / "out"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find((file / "out").string()), std::string::npos) << r.status().message();
}

TEST(GeneratorTest, RejectsBadOptions) {
  TempDir dir("bad");
  GeneratorOptions o = SmallOptions(dir.path());
  o.users = 0;
  EXPECT_EQ(Generate(o).status().code(), StatusCode::kInvalidArgument);
  o = SmallOptions(dir.path());
  o.start_date = "2026-13-01";
  EXPECT_EQ(Generate(o).status().code(), StatusCode::kInvalidArgument);
  o = SmallOptions(dir.path());
  o.duplicate_rate = 1.5;
  EXPECT_EQ(Generate(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ws
