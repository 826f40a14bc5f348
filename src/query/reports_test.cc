#include "query/reports.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "catalog/catalog.h"
#include "session/data_store.h"

namespace ws {
namespace {

EpochMillis At(const char* rfc3339) { return *ParseRfc3339(rfc3339, nullptr); }

SessionRecord Session(const std::string& id, const std::string& user, const std::string& content,
                      const char* start, int64_t watch_ms, SessionStatus status) {
  SessionRecord r;
  r.session_id = id;
  r.user_id = user;
  r.content_id = content;
  r.start = At(start);
  r.end = EpochMillis{r.start.v + watch_ms};
  r.date_key = DayOf(r.start);
  r.local_date = r.date_key;
  r.local_start_hour = static_cast<int32_t>((r.start.v % kMillisPerDay) / kMillisPerHour);
  r.watch_ms = watch_ms;
  r.status = status;
  r.country = "KR";
  return r;
}

class ReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ws-reports-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    WriteCatalog(
        "v1.json",
        R"([{"content_id":"m-1","type":"movie","title":"One","genres":["Drama"],"duration_seconds":6000},
{"content_id":"s-1","type":"series","title":"Show","genres":["Comedy"],"seasons":[{"season_number":1,"episodes":[{"content_id":"s-1-e0101","episode_number":1,"duration_seconds":1800}]}]}])");
    WriteCatalog(
        "v2.json",
        R"([{"content_id":"m-1","type":"movie","title":"One","genres":["Crime"],"duration_seconds":6000},
{"content_id":"s-1","type":"series","title":"Show","genres":["Comedy"],"seasons":[{"season_number":1,"episodes":[{"content_id":"s-1-e0101","episode_number":1,"duration_seconds":1800}]}]}])");
    auto cat = Catalog::Open(dir_);
    ASSERT_TRUE(cat.ok()) << cat.status().message();
    catalog_ = std::move(*cat);
    ASSERT_TRUE(catalog_->Load({dir_ + "/v1.json"}, LoadKind::kAuto, At("2026-09-01T00:00:00Z")).ok());
    ASSERT_TRUE(catalog_->Load({dir_ + "/v2.json"}, LoadKind::kAuto, At("2026-10-15T00:00:00Z")).ok());
    auto store = DataStore::Open(dir_, {});
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    Status st = CommitSessions(
        store_.get(),
        {Session("a", "u1", "m-1", "2026-10-01T20:00:00Z", 3'600'000, SessionStatus::kCompleted),
         Session("b", "u2", "m-1", "2026-10-20T21:00:00Z", 1'800'000, SessionStatus::kStopped),
         Session("c", "u1", "s-1-e0101", "2026-10-20T21:30:00Z", 900'000, SessionStatus::kAbandoned)});
    ASSERT_TRUE(st.ok()) << st.message();
    catalog_->AttachKeys(store_->store().keys());
    snapshot_ = store_->snapshot();
    ctx_.snapshot = snapshot_.get();
    ctx_.keys = &store_->keys();
    ctx_.catalog = catalog_.get();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteCatalog(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }

  int64_t PopularSessions(const ReportParams& p) {
    auto t = RunReport("popular", p, ctx_);
    EXPECT_TRUE(t.ok()) << t.status().message();
    int64_t n = 0;
    for (const auto& row : t->rows) n += std::get<int64_t>(row[2]);
    return n;
  }

  std::string dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<DataStore> store_;
  std::shared_ptr<const store::Snapshot> snapshot_;
  QueryContext ctx_;
};

TEST_F(ReportsTest, PopularRollsEpisodesUpToTitlesAndRanks) {
  auto t = RunReport("popular", {{"sort", "watch_hours"}}, ctx_);
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(t->rows[0][0]), "m-1");
  EXPECT_EQ(std::get<std::string>(t->rows[0][1]), "One");
  EXPECT_EQ(std::get<int64_t>(t->rows[0][2]), 2);  // sessions
  EXPECT_EQ(std::get<int64_t>(t->rows[0][3]), 2);  // viewers
  EXPECT_DOUBLE_EQ(std::get<double>(t->rows[0][4]), 1.5);
  EXPECT_DOUBLE_EQ(std::get<double>(t->rows[0][5]), 50.0);  // completion_rate
  EXPECT_EQ(std::get<std::string>(t->rows[1][0]), "s-1");
}

TEST_F(ReportsTest, GenreFilterUsesTheVersionValidAtSessionStart) {
  EXPECT_EQ(PopularSessions({{"genre", "Drama"}}), 1);  // session a, before the change
  EXPECT_EQ(PopularSessions({{"genre", "Crime"}}), 1);  // session b, after it
  EXPECT_EQ(PopularSessions({{"genre", "Comedy"}}), 1);
  EXPECT_EQ(PopularSessions({}), 3);
}

TEST_F(ReportsTest, TrendsAndPeakHours) {
  auto t = RunReport("trends", {}, ctx_);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(t->rows[1][0]), "2026-10-20");
  EXPECT_EQ(std::get<int64_t>(t->rows[1][1]), 2);  // sessions
  EXPECT_EQ(std::get<int64_t>(t->rows[1][3]), 2);  // viewers
  EXPECT_EQ(std::get<int64_t>(t->rows[1][4]), 2);  // titles
  auto p = RunReport("peak-hours", {{"content_type", "movie"}}, ctx_);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->rows.size(), 24u);
  EXPECT_EQ(std::get<int64_t>(p->rows[20][1]), 1);
  EXPECT_EQ(std::get<int64_t>(p->rows[21][1]), 1);
}

TEST_F(ReportsTest, DefaultRangeIsTheLast30DaysOfData) {
  auto t = RunReport("trends", {}, ctx_);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->params[0].second, "2026-09-21");
  EXPECT_EQ(t->params[1].second, "2026-10-20");
}

TEST_F(ReportsTest, CountryFilterIsReadAsACountryCode) {
  const ReportParams all = {{"from", "2026-10-01"}, {"to", "2026-10-31"}};
  ReportParams kr = all;
  kr["country"] = "kr";  // upper-cased, as SPEC 1 stores codes
  EXPECT_EQ(PopularSessions(kr), 3);
  kr["country"] = "US";
  EXPECT_EQ(PopularSessions(kr), 0);
  // Not a code: an error naming the parameter, not an empty report.
  for (const char* bad : {"KOR", "k", "k1", " kr"}) {
    ReportParams p = all;
    p["country"] = bad;
    auto t = RunReport("popular", p, ctx_);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find("parameter 'country'"), std::string::npos) << t.status().message();
  }
}

TEST_F(ReportsTest, BadParametersAreClearErrors) {
  auto bad = RunReport("popular", {{"limit", "zero"}}, ctx_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("limit"), std::string::npos);
  EXPECT_FALSE(RunReport("trends", {{"from", "2026-13-01"}}, ctx_).ok());
  EXPECT_FALSE(RunReport("trends", {{"nope", "1"}}, ctx_).ok());
  EXPECT_FALSE(RunReport("no-such", {}, ctx_).ok());
  // A parameter another report takes, a malformed interval, a missing user.
  auto other = RunReport("trends", {{"interval", "hour"}}, ctx_);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("'interval'"), std::string::npos) << other.status().message();
  auto interval = RunReport("concurrency", {{"interval", "week"}}, ctx_);
  ASSERT_FALSE(interval.ok());
  EXPECT_NE(interval.status().message().find("minute, hour or day"), std::string::npos);
  auto user = RunReport("user-stats", {}, ctx_);
  ASSERT_FALSE(user.ok());
  EXPECT_NE(user.status().message().find("'user'"), std::string::npos);
  auto tz = RunReport("peak-hours", {{"tz", "Mars/Olympus"}}, ctx_);
  ASSERT_FALSE(tz.ok());
  EXPECT_NE(tz.status().message().find("'tz'"), std::string::npos);
  EXPECT_TRUE(RunReport("peak-hours", {{"device-type", "tv"}}, ctx_).ok());  // the CLI's spelling
}

}  // namespace
}  // namespace ws

namespace ws {
namespace {

TEST(HtmlTest, PagesAreSelfContainedWithAChartThatFitsTheReport) {
  ResultTable heat;
  heat.report = "breakdown";
  heat.columns = {"weekday", "hour", "sessions"};
  heat.rows = {{int64_t{1}, int64_t{20}, int64_t{5}}, {int64_t{6}, int64_t{9}, int64_t{2}}};
  const std::string h = RenderHtml(heat);
  EXPECT_NE(h.find("<svg"), std::string::npos);
  EXPECT_NE(h.find("<title>Mon 20:00 5</title>"), std::string::npos);  // a day x hour cell
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_EQ(h.find("http"), std::string::npos);  // nothing to fetch

  ResultTable line;
  line.report = "trends";
  line.columns = {"date", "sessions"};
  line.rows = {{std::string("2026-10-01"), int64_t{3}}, {std::string("2026-10-02"), int64_t{4}}};
  EXPECT_NE(RenderHtml(line).find("<polyline"), std::string::npos);

  ResultTable bars;
  bars.report = "popular";
  bars.columns = {"title_id", "title", "sessions"};
  bars.rows = {{std::string("m-1"), std::string("<Night & Day>"), int64_t{3}}};
  const std::string b = RenderHtml(bars);
  EXPECT_NE(b.find("<rect"), std::string::npos);
  EXPECT_NE(b.find("&lt;Night &amp; Day&gt;"), std::string::npos);  // escaped
  EXPECT_EQ(b.find("<Night"), std::string::npos);
}

}  // namespace
}  // namespace ws
