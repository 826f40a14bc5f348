// The patterns the session-facts generator plants (gen/session_facts.h) are
// found by the reports made for them (issue 8, "Planted patterns").
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "catalog/catalog.h"
#include "gen/session_facts.h"
#include "query/reports.h"
#include "session/data_store.h"
#include "test_util.h"

namespace ws::testing {
namespace {

constexpr int64_t kSessions = 400000;
constexpr int kUsers = 40000;
constexpr int kTitles = 300;
constexpr int kDays = 30;
constexpr double kMinViewers = 50;

double Num(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return -1;
}

class PlantedPatternsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    const std::string dir = tmp_->path();
    SessionFactsOptions o;
    o.out_dir = dir;
    o.users = kUsers;
    o.titles = kTitles;
    o.days = kDays;
    o.sessions = kSessions;
    auto store = DataStore::Open(dir + "/store", {});
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = store->release();
    std::unique_ptr<Catalog> catalog;
    Status st = GenerateSessionFacts(
        o,
        [&](DayNumber, std::vector<SessionRecord>& sessions) {
          if (!catalog) {
            auto cat = Catalog::Open(dir + "/store");
            if (!cat.ok()) return cat.status();
            catalog = std::move(*cat);
            auto loaded = catalog->Load({dir + "/catalog.json", dir + "/users.csv"});
            if (!loaded.ok()) return loaded.status();
            catalog->RegisterKeys(store_->store().keys());
          }
          return CommitSessions(store_, std::move(sessions));
        },
        &planted_);
    ASSERT_TRUE(st.ok()) << st.message();
    catalog->AttachKeys(store_->store().keys());
    catalog_ = catalog.release();
    snapshot_ = new std::shared_ptr<const store::Snapshot>(store_->snapshot());
  }
  static void TearDownTestSuite() {
    delete snapshot_;
    delete catalog_;
    delete store_;
    delete tmp_;
  }

  ResultTable Run(const std::string& report, const ReportParams& params) {
    QueryContext ctx;
    ctx.snapshot = snapshot_->get();
    ctx.keys = &store_->keys();
    ctx.catalog = catalog_;
    auto t = RunReport(report, params, ctx);
    EXPECT_TRUE(t.ok()) << report << ": " << t.status().message();
    return t.ok() ? *t : ResultTable{};
  }
  static size_t Col(const ResultTable& t, const std::string& name) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c] == name) return c;
    }
    ADD_FAILURE() << t.report << " has no column " << name;
    return 0;
  }

  static TempDir* tmp_;
  static DataStore* store_;
  static Catalog* catalog_;
  static std::shared_ptr<const store::Snapshot>* snapshot_;
  static PlantedPatterns planted_;
};
TempDir* PlantedPatternsTest::tmp_ = nullptr;
DataStore* PlantedPatternsTest::store_ = nullptr;
Catalog* PlantedPatternsTest::catalog_ = nullptr;
std::shared_ptr<const store::Snapshot>* PlantedPatternsTest::snapshot_ = nullptr;
PlantedPatterns PlantedPatternsTest::planted_;

TEST_F(PlantedPatternsTest, AGenreLeadsInOneCountryOnly) {
  const ResultTable local = Run("breakdown", {{"by", "genre"}, {"country", planted_.local_genre_country}});
  ASSERT_FALSE(local.rows.empty());
  EXPECT_EQ(std::get<std::string>(local.rows[0][0]), planted_.local_genre);
  const ResultTable all = Run("breakdown", {{"by", "genre"}});
  ASSERT_FALSE(all.rows.empty());
  EXPECT_NE(std::get<std::string>(all.rows[0][0]), planted_.local_genre);
}

TEST_F(PlantedPatternsTest, CrimeInTheUsIsWatchedInTheEvening) {
  auto evening_share = [&](const std::string& genre) {
    const ResultTable t = Run("daypart", {{"genre", genre}, {"country", planted_.evening_country}});
    for (const auto& row : t.rows) {
      if (std::get<std::string>(row[Col(t, "daypart")]) == "evening") return Num(row[Col(t, "share_pct")]);
    }
    return 0.0;
  };
  const double crime = evening_share(planted_.evening_genre);
  EXPECT_GT(crime, 80.0);
  EXPECT_GT(crime, evening_share("Drama") + 20.0);
}

TEST_F(PlantedPatternsTest, AShowFadesAfterItsProductionEnds) {
  const ResultTable t = Run("lifecycle", {{"title", planted_.fading_series}});
  ASSERT_EQ(t.summary.size(), 2u);
  const double before = Num(t.summary[0].second), after = Num(t.summary[1].second);
  EXPECT_GT(before, 0);
  EXPECT_LT(after, 0.5 * before) << "before " << before << " after " << after;
}

TEST_F(PlantedPatternsTest, ASmallButLoyalSeriesIsFlagged) {
  const ResultTable t = Run("loyalty", {{"limit", "1000"}});
  bool found = false;
  for (const auto& row : t.rows) {
    if (std::get<std::string>(row[0]) != planted_.loyal_series) continue;
    found = true;
    EXPECT_TRUE(std::get<bool>(row[Col(t, "small_but_loyal")]));
  }
  EXPECT_TRUE(found);
}

TEST_F(PlantedPatternsTest, TheBingedSeriesHasTheHighestBingeRate) {
  const ResultTable t = Run("binge", {{"limit", "1000"}});
  std::string best;
  double best_rate = -1;
  for (const auto& row : t.rows) {
    if (Num(row[Col(t, "viewers")]) < kMinViewers) continue;
    const double rate = Num(row[Col(t, "binge_rate_pct")]);
    if (rate > best_rate) {
      best_rate = rate;
      best = std::get<std::string>(row[0]);
    }
  }
  EXPECT_EQ(best, planted_.binged_series) << "best rate " << best_rate;
}

TEST_F(PlantedPatternsTest, ATitleOutsideTheGlobalTopTopsOneCountry) {
  // The test's catalog has 300 titles: the global top is its top 10.
  const ResultTable t = Run("regional", {{"global_top", "10"}, {"local_top", "1"}});
  bool found = false;
  for (const auto& row : t.rows) {
    if (std::get<std::string>(row[0]) == planted_.regional_title &&
        std::get<std::string>(row[Col(t, "country")]) == planted_.regional_country) {
      found = true;
      EXPECT_EQ(Num(row[Col(t, "country_rank")]), 1);
    }
  }
  EXPECT_TRUE(found) << "regional rows: " << t.rows.size();
}

TEST_F(PlantedPatternsTest, TheExclusiveTitlesViewersWatchNothingElse) {
  const ResultTable t = Run("exclusive", {{"limit", "10000"}});
  std::string best;
  double best_pct = -1;
  for (const auto& row : t.rows) {
    if (Num(row[Col(t, "viewers")]) < kMinViewers) continue;
    const double pct = Num(row[Col(t, "dependent_pct")]);
    if (pct > best_pct) {
      best_pct = pct;
      best = std::get<std::string>(row[0]);
    }
  }
  EXPECT_EQ(best, planted_.exclusive_title) << "best dependent share " << best_pct;
  EXPECT_GT(best_pct, 95.0);
}

}  // namespace
}  // namespace ws::testing
