// Differential test: reports run by the query engine (column scans, shared
// aggregates, frame steps; two threads; with and without a column cache)
// equal their definitions computed directly over materialised sessions
// (ForEachSession), on random sessions and a catalog with genre history.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "catalog/catalog.h"
#include "query/reports.h"
#include "session/data_store.h"

namespace ws {
namespace {

constexpr int kSessions = 6000;
constexpr int kUsers = 250;
constexpr int kDays = 12;
constexpr double kEps = 1e-6;

std::string Key(const Value& v) {
  if (std::holds_alternative<Null>(v)) return "<null>";
  return FormatValue(v);
}

double Num(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nan("");
}

class EngineDifferentialTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ws-diff-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    // Catalog: 6 movies and 3 series of 4 episodes; genres change for two
    // titles in the second load (SCD2).
    std::string v1 = "[", v2 = "[";
    const char* genres[] = {"Crime", "Drama", "Comedy", "Action"};
    for (int m = 0; m < 6; ++m) {
      auto doc = [&](const std::string& g) {
        return "{\"content_id\":\"m-" + std::to_string(m) + "\",\"type\":\"movie\",\"title\":\"Movie " +
               std::to_string(m) + "\",\"genres\":[" + g + "],\"duration_seconds\":3000},";
      };
      std::string g1 = "\"" + std::string(genres[m % 4]) + "\"";
      if (m % 3 == 0) g1 += ",\"" + std::string(genres[(m + 1) % 4]) + "\"";
      v1 += doc(g1);
      v2 += doc(m == 2 ? "\"Action\"" : g1);
    }
    for (int s = 0; s < 3; ++s) {
      std::string eps;
      for (int e = 1; e <= 4; ++e) {
        eps += std::string(e > 1 ? "," : "") + "{\"content_id\":\"s-" + std::to_string(s) + "-e010" +
               std::to_string(e) + "\",\"episode_number\":" + std::to_string(e) +
               ",\"duration_seconds\":1500}";
      }
      auto doc = [&](const std::string& g) {
        return "{\"content_id\":\"s-" + std::to_string(s) + "\",\"type\":\"series\",\"title\":\"Series " +
               std::to_string(s) + "\",\"genres\":[" + g +
               "],\"seasons\":[{\"season_number\":1,\"episodes\":[" + eps + "]}]}" + (s < 2 ? "," : "");
      };
      v1 += doc("\"" + std::string(genres[s]) + "\"");
      v2 += doc(s == 1 ? "\"Crime\",\"Drama\"" : "\"" + std::string(genres[s]) + "\"");
    }
    v1 += "]";
    v2 += "]";
    std::ofstream(dir_ + "/v1.json") << v1;
    std::ofstream(dir_ + "/v2.json") << v2;
    std::string users = "user_id,age,country,subscription_type,registration_date,languages,timezone\n";
    for (int u = 0; u < kUsers; ++u) {
      users += fmt::format("u{},{},US,{},2025-01-01,{},America/New_York\n", u, 15 + u % 60,
                           u % 3 ? "basic" : "premium", u % 4 ? "en" : "en;es");
    }
    std::ofstream(dir_ + "/users.csv") << users;
    auto cat = Catalog::Open(dir_);
    ASSERT_TRUE(cat.ok()) << cat.status().message();
    catalog_ = std::move(*cat);
    ASSERT_TRUE(catalog_
                    ->Load({dir_ + "/v1.json", dir_ + "/users.csv"}, LoadKind::kAuto,
                           *ParseRfc3339("2026-09-01T00:00:00Z", nullptr))
                    .ok());
    ASSERT_TRUE(
        catalog_->Load({dir_ + "/v2.json"}, LoadKind::kAuto, *ParseRfc3339("2026-10-06T00:00:00Z", nullptr))
            .ok());
    auto store = DataStore::Open(dir_, {});
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    catalog_->RegisterKeys(store_->store().keys());

    std::mt19937_64 rng(7);
    auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
    const char* countries[] = {"US", "KR", "DE", ""};
    const char* zones[] = {"America/New_York", "Asia/Seoul", "Europe/Berlin", ""};
    const EpochMillis first = *ParseRfc3339("2026-10-01T00:00:00Z", nullptr);
    std::vector<SessionRecord> generated;
    for (int i = 0; i < kSessions; ++i) {
      SessionRecord r;
      r.session_id = "S" + std::to_string(i);
      r.user_id = "u" + std::to_string(uni(0, kUsers - 1));
      const bool movie = uni(0, 2) == 0;
      r.content_id = movie ? "m-" + std::to_string(uni(0, 6))  // m-6 is not in the catalog
                           : "s-" + std::to_string(uni(0, 2)) + "-e010" + std::to_string(uni(1, 4));
      r.start = EpochMillis{first.v + uni(0, kDays * kMillisPerDay - 1)};
      r.watch_ms = uni(0, 3) == 0 ? uni(0, 9000) : uni(10000, 3'000'000);
      r.end = EpochMillis{r.start.v + r.watch_ms + uni(0, 600000)};
      r.date_key = DayOf(r.start);
      const int z = static_cast<int>(uni(0, 3));
      r.tz = zones[z];
      r.country = countries[z];
      const LocalTime lt = r.tz.empty() ? ToLocalFixed(r.start, 0) : ToLocal(r.start, r.tz);
      r.local_start_hour = lt.hour;
      r.local_date = lt.date;
      r.content_length_ms = uni(0, 9) == 0 ? kAbsent : (movie ? 3'000'000 : 1'500'000);
      r.playback_position_ms = uni(0, 3'100'000);
      r.max_position_ms = r.playback_position_ms + uni(0, 100000);
      r.status = static_cast<SessionStatus>(uni(0, 4));
      r.device_type = static_cast<DeviceType>(uni(0, 7));
      generated.push_back(std::move(r));
    }
    const Status committed = CommitSessions(store_.get(), std::move(generated));
    ASSERT_TRUE(committed.ok()) << committed.message();
    catalog_->AttachKeys(store_->store().keys());
    snapshot_ = store_->snapshot();
    for (int32_t p : snapshot_->Partitions(kSessionsTable)) {
      ASSERT_TRUE(ForEachSession(*snapshot_, store_->keys(), DayNumber{p}, [&](const SessionRecord& r) {
                    sessions_.push_back(r);
                    return Status::Ok();
                  }).ok());
    }
    ctx_.snapshot = snapshot_.get();
    ctx_.keys = &store_->keys();
    ctx_.catalog = catalog_.get();
    ctx_.threads = 2;
    if (GetParam()) ctx_.cache = &cache_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string TitleOf(const SessionRecord& r) const {
    const ContentInfo* c = catalog_->FindContent(r.content_id);
    return c ? c->title_id : r.content_id;
  }

  // Rows of a report keyed by its first `keys` columns.
  std::map<std::string, std::vector<Value>> Rows(const std::string& report, const ReportParams& p,
                                                 size_t keys) {
    auto t = RunReport(report, p, ctx_);
    EXPECT_TRUE(t.ok()) << t.status().message();
    std::map<std::string, std::vector<Value>> out;
    if (!t.ok()) return out;
    for (const auto& row : t->rows) {
      std::string k;
      for (size_t i = 0; i < keys; ++i) k += Key(row[i]) + "|";
      out[k] = row;
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<DataStore> store_;
  std::shared_ptr<const store::Snapshot> snapshot_;
  std::vector<SessionRecord> sessions_;
  query::ColumnCache cache_;
  QueryContext ctx_;
};

const ReportParams kRange = {{"from", "2026-10-01"}, {"to", "2026-10-12"}};

TEST_P(EngineDifferentialTest, PopularEqualsItsDefinition) {
  struct Agg {
    int64_t sessions = 0, completed = 0, watch = 0, pct_n = 0;
    double pct = 0;
    std::set<std::string> users;
  };
  std::map<std::string, Agg> want;
  for (const SessionRecord& r : sessions_) {
    Agg& a = want[TitleOf(r) + "|"];
    ++a.sessions;
    a.completed += r.status == SessionStatus::kCompleted;
    a.watch += r.watch_ms;
    if (r.has_length()) {
      a.pct += r.completion_percentage();
      ++a.pct_n;
    }
    a.users.insert(r.user_id);
  }
  ReportParams p = kRange;
  p["limit"] = "1000";
  auto got = Rows("popular", p, 1);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [k, a] : want) {
    ASSERT_TRUE(got.count(k)) << k;
    const auto& row = got[k];
    EXPECT_EQ(Num(row[2]), a.sessions) << k;
    EXPECT_EQ(Num(row[3]), static_cast<double>(a.users.size())) << k;
    EXPECT_NEAR(Num(row[4]), static_cast<double>(a.watch) / 3.6e6, kEps) << k;
    EXPECT_NEAR(Num(row[5]), 100.0 * static_cast<double>(a.completed) / static_cast<double>(a.sessions), kEps)
        << k;
    if (a.pct_n) {
      EXPECT_NEAR(Num(row[6]), a.pct / static_cast<double>(a.pct_n), kEps) << k;
    }
  }
}

TEST_P(EngineDifferentialTest, GenreByCountryEqualsItsDefinitionWithGenreHistory) {
  struct Agg {
    int64_t sessions = 0, watch = 0;
    std::set<std::string> users;
  };
  std::map<std::string, Agg> want;
  for (const SessionRecord& r : sessions_) {
    const std::vector<std::string>* genres = catalog_->GenresAt(r.content_id, r.start);
    if (genres == nullptr) continue;
    for (const std::string& g : *genres) {
      Agg& a = want[g + "|" + (r.country.empty() ? "<null>" : r.country) + "|"];
      ++a.sessions;
      a.watch += r.watch_ms;
      a.users.insert(r.user_id);
    }
  }
  ReportParams p = kRange;
  p["by"] = "genre,country";
  auto got = Rows("breakdown", p, 2);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [k, a] : want) {
    ASSERT_TRUE(got.count(k)) << k;
    EXPECT_EQ(Num(got[k][2]), a.sessions) << k;
    EXPECT_EQ(Num(got[k][3]), static_cast<double>(a.users.size())) << k;
    EXPECT_NEAR(Num(got[k][4]), static_cast<double>(a.watch) / 3.6e6, kEps) << k;
  }
}

TEST_P(EngineDifferentialTest, PeakHoursOnAZoneEqualsItsDefinition) {
  for (const char* zone : {"UTC", "America/New_York", "Asia/Kolkata"}) {
    std::map<std::string, std::pair<int64_t, std::set<std::string>>> want;
    for (const SessionRecord& r : sessions_) {
      const LocalTime lt = ToLocal(r.start, zone);
      if (lt.date < *ParseDate("2026-10-02") || lt.date > *ParseDate("2026-10-11")) continue;
      auto& a = want[std::to_string(lt.hour) + "|"];
      ++a.first;
      a.second.insert(r.user_id);
    }
    auto got = Rows("peak-hours", {{"from", "2026-10-02"}, {"to", "2026-10-11"}, {"tz", zone}}, 1);
    for (const auto& [k, a] : want) {
      ASSERT_TRUE(got.count(k)) << zone << " " << k;
      EXPECT_EQ(Num(got[k][1]), a.first) << zone << " " << k;
      EXPECT_EQ(Num(got[k][2]), static_cast<double>(a.second.size())) << zone << " " << k;
    }
  }
}

TEST_P(EngineDifferentialTest, EngagementEqualsItsDefinition) {
  std::map<int32_t, std::set<std::string>> by_day;
  for (const SessionRecord& r : sessions_) by_day[r.date_key.v].insert(r.user_id);
  auto got = Rows("engagement", {{"from", "2026-10-05"}, {"to", "2026-10-12"}}, 1);
  ASSERT_EQ(got.size(), 8u);
  for (const auto& [key, row] : got) {
    const int32_t day = ParseDate(key.substr(0, 10))->v;
    std::set<std::string> week, month;
    for (const auto& [d, users] : by_day) {
      if (d <= day && d > day - 7) week.insert(users.begin(), users.end());
      if (d <= day && d > day - 30) month.insert(users.begin(), users.end());
    }
    EXPECT_EQ(Num(row[1]), static_cast<double>(by_day[day].size())) << key;
    EXPECT_EQ(Num(row[2]), static_cast<double>(week.size())) << key;
    EXPECT_EQ(Num(row[3]), static_cast<double>(month.size())) << key;
  }
}

TEST_P(EngineDifferentialTest, ExclusiveEqualsItsDefinition) {
  std::map<std::string, std::map<std::string, int64_t>> user_title;
  for (const SessionRecord& r : sessions_) user_title[r.user_id][TitleOf(r)] += r.watch_ms;
  std::map<std::string, std::pair<int64_t, int64_t>> want;  // title -> viewers, dependent
  for (const auto& [u, titles] : user_title) {
    int64_t total = 0;
    for (const auto& [t, w] : titles) total += w;
    for (const auto& [t, w] : titles) {
      auto& a = want[t + "|"];
      ++a.first;
      a.second += total > 0 && 5 * w >= 4 * total;
    }
  }
  ReportParams p = kRange;
  p["limit"] = "1000";
  auto got = Rows("exclusive", p, 1);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [k, a] : want) {
    ASSERT_TRUE(got.count(k)) << k;
    EXPECT_EQ(Num(got[k][2]), a.first) << k;
    EXPECT_EQ(Num(got[k][3]), a.second) << k;
  }
}

TEST_P(EngineDifferentialTest, BingeEqualsItsDefinition) {
  std::map<std::string, std::map<std::string, std::vector<const SessionRecord*>>> series_user;
  for (const SessionRecord& r : sessions_) {
    const ContentInfo* c = catalog_->FindContent(r.content_id);
    if (c && c->kind == "episode") series_user[c->title_id][r.user_id].push_back(&r);
  }
  ReportParams p = kRange;
  p["limit"] = "1000";
  auto got = Rows("binge", p, 1);
  ASSERT_EQ(got.size(), series_user.size());
  for (auto& [title, users] : series_user) {
    int64_t binge_viewers = 0, sittings = 0, items = 0;
    for (auto& [u, v] : users) {
      std::sort(v.begin(), v.end(), [](auto* a, auto* b) {
        return a->start.v != b->start.v ? a->start.v < b->start.v : a->content_id < b->content_id;
      });
      bool binged = false;
      std::set<std::string> cur;
      int64_t last_end = 0;
      for (const SessionRecord* r : v) {
        if (!cur.empty() && r->start.v - last_end > 30 * kMillisPerMinute) {
          ++sittings;
          items += static_cast<int64_t>(cur.size());
          binged |= cur.size() >= 3;
          cur.clear();
        }
        last_end = cur.empty() ? r->end.v : std::max(last_end, r->end.v);
        cur.insert(r->content_id);
      }
      ++sittings;
      items += static_cast<int64_t>(cur.size());
      binged |= cur.size() >= 3;
      binge_viewers += binged;
    }
    const std::string k = title + "|";
    ASSERT_TRUE(got.count(k)) << k;
    EXPECT_EQ(Num(got[k][2]), static_cast<double>(users.size())) << k;
    EXPECT_EQ(Num(got[k][3]), binge_viewers) << k;
    EXPECT_NEAR(Num(got[k][5]), static_cast<double>(items) / static_cast<double>(sittings), kEps) << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Cache, EngineDifferentialTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "WithColumnCache" : "Decoding";
                         });

}  // namespace
}  // namespace ws
