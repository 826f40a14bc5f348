#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "app/catalog_show.h"
#include "catalog/values.h"
#include "vocab/key_names.h"

namespace ws {
namespace {

constexpr EpochMillis kFirstLoad{1735689600000};   // 2025-01-01T00:00:00Z
constexpr EpochMillis kSecondLoad{1751328000000};  // 2025-07-01T00:00:00Z

std::string Fixture(const std::string& name) {
  return std::string(WS_SOURCE_DIR) + "/tests/data/catalog/" + name;
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("ws-catalog-test-" + std::to_string(rd()));
    Reopen();
  }
  void TearDown() override {
    catalog_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void Reopen() {
    catalog_.reset();
    auto opened = Catalog::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    catalog_ = std::move(opened).value();
  }
  LoadReport MustLoad(const std::vector<std::string>& files, EpochMillis at,
                      LoadKind kind = LoadKind::kAuto) {
    auto r = catalog_->Load(files, kind, at);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : LoadReport{};
  }
  std::map<std::string, int64_t> Counts() {
    auto stats = catalog_->Stats();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    std::map<std::string, int64_t> out;
    if (stats.ok()) {
      for (const auto& t : stats->tables) out[t.table] = t.rows;
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, NestedCatalogLoadsIntoExpectedRows) {
  LoadReport r = MustLoad({Fixture("catalog_nested.json")}, kFirstLoad);
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].kind, LoadKind::kContent);
  EXPECT_EQ(r.titles.added, 4);
  EXPECT_EQ(r.items.added, 7);
  auto counts = Counts();
  EXPECT_EQ(counts["titles"], 4);
  EXPECT_EQ(counts["title_versions"], 4);
  EXPECT_EQ(counts["movies"], 2);
  EXPECT_EQ(counts["series"], 2);
  EXPECT_EQ(counts["content_items"], 7);
  EXPECT_EQ(counts["episodes"], 5);
  EXPECT_EQ(counts["title_genres"], 6);
  EXPECT_EQ(counts["title_languages"], 6);
  EXPECT_EQ(counts["genres"], 5);  // Crime, Drama, Romance, Comedy, Thriller

  const ContentInfo* ep = catalog_->FindContent("s-0042-e0102");
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->kind, "episode");
  EXPECT_EQ(ep->title_id, "s-0042");
  EXPECT_EQ(ep->title, "Seoul Nights");
  EXPECT_EQ(ep->season_number, 1);
  EXPECT_EQ(ep->episode_number, 2);
  EXPECT_EQ(ep->length_ms, 2640000);
  EXPECT_EQ(ep->credits_start_ms, 2520000);
  EXPECT_EQ(ep->genres, std::vector<std::string>{"Comedy"});
  ASSERT_TRUE(ep->release_date.has_value());
  EXPECT_EQ(FormatDate(*ep->release_date), "2024-01-12");

  const ContentInfo* s2 = catalog_->FindContent("s-0042-e0201");
  ASSERT_NE(s2, nullptr);
  EXPECT_EQ(s2->season_number, 2);
  EXPECT_EQ(s2->credits_start_ms, -1);

  const ContentInfo* movie = catalog_->FindContent("m-0001");
  ASSERT_NE(movie, nullptr);
  EXPECT_EQ(movie->kind, "movie");
  EXPECT_EQ(movie->title_id, "m-0001");
  const TitleInfo* movie_title = catalog_->FindTitle("m-0001");
  ASSERT_NE(movie_title, nullptr);
  EXPECT_EQ(movie_title->episode_count, 1);
  EXPECT_EQ(movie_title->release_year, 2019);

  const TitleInfo* series = catalog_->FindTitle("s-0042");
  ASSERT_NE(series, nullptr);
  EXPECT_EQ(series->kind, "series");
  EXPECT_EQ(series->episode_count, 3);
  EXPECT_EQ(series->production_status, "ongoing");
  const TitleInfo* ended = catalog_->FindTitle("s-0077");
  ASSERT_NE(ended, nullptr);
  ASSERT_TRUE(ended->production_end_date.has_value());
  EXPECT_EQ(FormatDate(*ended->production_end_date), "2025-06-30");
  EXPECT_EQ(ended->languages, (std::vector<std::string>{"en", "sv"}));

  auto items = catalog_->TitleItems("s-0042");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0]->content_id, "s-0042-e0101");
  EXPECT_EQ(items[2]->content_id, "s-0042-e0201");

  // Everything survives a reopen (read back from SQLite).
  Reopen();
  const ContentInfo* again = catalog_->FindContent("s-0042-e0102");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->title, "Seoul Nights");
  EXPECT_EQ(again->credits_start_ms, 2520000);
  EXPECT_EQ(catalog_->FindTitle("s-0042")->episode_count, 3);
  EXPECT_EQ(catalog_->FindTitle("m-0001")->genres, (std::vector<std::string>{"Crime", "Drama"}));
}

TEST_F(CatalogTest, ExtendedJsonValuesParse) {
  MustLoad({Fixture("catalog_nested.json")}, kFirstLoad);
  const ContentInfo* m2 = catalog_->FindContent("m-0002");
  ASSERT_NE(m2, nullptr);
  EXPECT_EQ(m2->length_ms, 5400000);          // {"$numberInt": "5400"}
  EXPECT_EQ(m2->credits_start_ms, 5200500);   // {"$numberDouble": "5200.5"}
  ASSERT_TRUE(m2->release_date.has_value());  // {"$date": "2021-03-14T00:00:00Z"}
  EXPECT_EQ(FormatDate(*m2->release_date), "2021-03-14");
  EXPECT_EQ(catalog_->FindTitle("m-0001")->release_year, 2019);  // {"$numberLong": "2019"}

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(
      parser
          .parse(std::string_view(R"({"a": {"$numberLong": "9007199254740993"}, "b": {"$date": 1751241600000},
                  "c": {"$oid": "65a1f0c2e4b0a1b2c3d4e5f6"}, "d": {"$numberDouble": "2.5"}, "e": {"$numberInt": "x"},
                  "f": {"$date": {"$numberLong": "1751241600000"}}, "g": "2025-06-30T23:30:00-02:00"})"))
          .get(doc),
      simdjson::SUCCESS);
  EXPECT_EQ(catalog::ReadInt(doc["a"].value()), 9007199254740993LL);
  EXPECT_EQ(FormatDate(*catalog::ReadDate(doc["b"].value())), "2025-06-30");
  EXPECT_EQ(catalog::ReadString(doc["c"].value()), "65a1f0c2e4b0a1b2c3d4e5f6");
  EXPECT_EQ(catalog::ReadNumber(doc["d"].value()), 2.5);
  EXPECT_FALSE(catalog::ReadInt(doc["d"].value()).has_value());
  EXPECT_FALSE(catalog::ReadInt(doc["e"].value()).has_value());
  EXPECT_EQ(FormatDate(*catalog::ReadDate(doc["f"].value())), "2025-06-30");
  EXPECT_EQ(FormatDate(*catalog::ReadDate(doc["g"].value())), "2025-07-01");  // UTC day
}

TEST_F(CatalogTest, BadRowsAreReportedWithTheirLinesAndGoodRowsLoad) {
  LoadReport r = MustLoad({Fixture("catalog_bad_rows.ndjson")}, kFirstLoad);
  std::map<int64_t, std::string> by_line;
  for (const auto& e : r.errors) {
    EXPECT_EQ(e.file, Fixture("catalog_bad_rows.ndjson"));
    by_line[e.line] = e.reason;
  }
  ASSERT_EQ(r.errors.size(), 5u) << r.Summary();
  EXPECT_NE(by_line[2].find("not valid JSON"), std::string::npos) << by_line[2];
  EXPECT_NE(by_line[3].find("title"), std::string::npos) << by_line[3];
  EXPECT_NE(by_line[5].find("content_id"), std::string::npos) << by_line[5];
  EXPECT_NE(by_line[6].find("podcast"), std::string::npos) << by_line[6];
  EXPECT_NE(by_line[7].find("duration_seconds"), std::string::npos) << by_line[7];
  EXPECT_NE(catalog_->FindTitle("m-0100"), nullptr);
  EXPECT_NE(catalog_->FindTitle("m-0103"), nullptr);
  EXPECT_EQ(catalog_->FindContent("m-0103")->length_ms, 7200000);
  ASSERT_NE(catalog_->FindTitle("s-0100"), nullptr);
  EXPECT_EQ(catalog_->FindTitle("s-0100")->episode_count, 1);
  EXPECT_EQ(catalog_->FindTitle("m-0102"), nullptr);
  EXPECT_EQ(catalog_->FindTitle("p-0001"), nullptr);
  EXPECT_EQ(catalog_->FindTitle("m-0104"), nullptr);
  EXPECT_EQ(r.files[0].rows_read, 7);
}

TEST_F(CatalogTest, JsonArrayElementErrorsCarryTheirLine) {
  auto path = dir_ / "array.json";
  std::ofstream(path) << "[\n  {\"content_id\": \"m-1\", \"type\": \"movie\", \"title\": \"A\"},\n"
                         "  {\"content_id\": \"m-2\", \"type\": \"movie\"},\n"
                         "  {\"content_id\": \"m-3\", \"type\": \"movie\", \"title\": \"C\"}\n]\n";
  LoadReport r = MustLoad({path.string()}, kFirstLoad);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_NE(catalog_->FindTitle("m-1"), nullptr);
  EXPECT_NE(catalog_->FindTitle("m-3"), nullptr);
}

TEST_F(CatalogTest, LoadingTheSameFileTwiceIsANoOp) {
  MustLoad({Fixture("catalog_nested.json"), Fixture("users_extra_columns.csv")}, kFirstLoad);
  auto before = Counts();
  LoadReport again =
      MustLoad({Fixture("catalog_nested.json"), Fixture("users_extra_columns.csv")}, kSecondLoad);
  EXPECT_EQ(again.titles.added + again.titles.changed, 0);
  EXPECT_EQ(again.titles.unchanged, 4);
  EXPECT_EQ(again.items.added + again.items.changed, 0);
  EXPECT_EQ(again.users.added + again.users.changed, 0);
  EXPECT_EQ(Counts(), before);
  EXPECT_EQ(catalog_->TitleHistory("s-0042").size(), 1u);
  EXPECT_EQ(catalog_->TitleHistory("s-0042")[0]->valid_from, kFirstLoad);
  // The same after a reopen: the comparison works on state read back from disk.
  Reopen();
  LoadReport third =
      MustLoad({Fixture("catalog_nested.json"), Fixture("users_extra_columns.csv")}, kSecondLoad);
  EXPECT_EQ(third.titles.added + third.titles.changed + third.users.added + third.users.changed, 0);
  EXPECT_EQ(Counts(), before);
}

TEST_F(CatalogTest, ChangedProductionStatusOpensASecondVersion) {
  MustLoad({Fixture("catalog_nested.json")}, kFirstLoad);
  LoadReport r = MustLoad({Fixture("catalog_snapshot2.ndjson")}, kSecondLoad);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.titles.changed, 1);  // only s-0042; reordered genres and equal values are no change
  EXPECT_EQ(r.titles.unchanged, 3);
  EXPECT_EQ(r.items.changed, 0);
  for (int pass = 0; pass < 2; ++pass) {
    auto history = catalog_->TitleHistory("s-0042");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0]->info.production_status, "ongoing");
    EXPECT_EQ(history[0]->valid_from, kFirstLoad);
    ASSERT_TRUE(history[0]->valid_to.has_value());
    EXPECT_EQ(*history[0]->valid_to, kSecondLoad);
    EXPECT_EQ(history[1]->info.production_status, "ended");
    EXPECT_EQ(history[1]->valid_from, kSecondLoad);
    EXPECT_FALSE(history[1]->valid_to.has_value());
    EXPECT_EQ(catalog_->FindTitle("s-0042")->production_status, "ended");
    EXPECT_EQ(catalog_->FindTitle("s-0042")->episode_count, 3);
    // Point-in-time lookups.
    EXPECT_EQ(catalog_->FindTitleAt("s-0042", EpochMillis{kFirstLoad.v + 1})->info.production_status,
              "ongoing");
    EXPECT_EQ(catalog_->FindTitleAt("s-0042", EpochMillis{0})->info.production_status, "ongoing");
    EXPECT_EQ(catalog_->FindTitleAt("s-0042", kSecondLoad)->info.production_status, "ended");
    auto at = catalog_->FindContentAt("s-0042-e0101", EpochMillis{kSecondLoad.v - 1});
    ASSERT_TRUE(at.has_value());
    EXPECT_EQ(at->title->info.production_status, "ongoing");
    EXPECT_EQ(catalog_->TitleHistory("s-0077").size(), 1u);
    auto counts = Counts();
    EXPECT_EQ(counts["titles"], 4);
    EXPECT_EQ(counts["title_versions"], 5);
    Reopen();
  }
  // A load dated before the latest snapshot is refused.
  auto early = catalog_->Load({Fixture("catalog_nested.json")}, LoadKind::kAuto, kFirstLoad);
  EXPECT_FALSE(early.ok());
}

TEST_F(CatalogTest, UsersKeepUnknownColumnsAndReportBadRows) {
  LoadReport r = MustLoad({Fixture("users_extra_columns.csv")}, kFirstLoad);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].kind, LoadKind::kUsers);
  EXPECT_EQ(r.users.added, 3);
  std::map<int64_t, std::string> by_line;
  for (const auto& e : r.errors) by_line[e.line] = e.reason;
  ASSERT_EQ(by_line.size(), 5u) << r.Summary();
  EXPECT_NE(by_line[5].find("age"), std::string::npos);
  EXPECT_NE(by_line[6].find("country"), std::string::npos);
  EXPECT_NE(by_line[7].find("timezone"), std::string::npos);
  EXPECT_NE(by_line[8].find("registration_date"), std::string::npos);
  EXPECT_NE(by_line[9].find("fields"), std::string::npos);

  const UserInfo* u1 = catalog_->FindUser("u-0001");
  ASSERT_NE(u1, nullptr);
  EXPECT_EQ(u1->age, 34);
  EXPECT_EQ(u1->country, "KR");
  EXPECT_EQ(u1->subscription_type, "premium");
  EXPECT_EQ(u1->timezone, "Asia/Seoul");
  EXPECT_EQ(u1->languages, (std::vector<std::string>{"ko", "en"}));
  EXPECT_EQ(u1->attributes_json, R"({"favourite_color":"blue","marketing_opt_in":"true"})");
  const UserInfo* u3 = catalog_->FindUser("u-0003");
  ASSERT_NE(u3, nullptr);
  EXPECT_EQ(u3->attributes_json, R"({"favourite_color":"red, \"dark\"","marketing_opt_in":"true"})");
  EXPECT_EQ(catalog_->FindUser("u-0002")->age, -1);
  EXPECT_EQ(catalog_->FindUser("u-0002")->attributes_json, R"({"marketing_opt_in":"false"})");

  Reopen();
  EXPECT_EQ(catalog_->FindUser("u-0001")->attributes_json,
            R"({"favourite_color":"blue","marketing_opt_in":"true"})");
  auto shown = app::ShowCatalogItem(*catalog_, "u-0001", false, app::ShowFormat::kJson);
  ASSERT_TRUE(shown.ok());
  EXPECT_NE(shown->find(R"("age_band":"25-34")"), std::string::npos) << *shown;
  EXPECT_NE(shown->find(R"("attributes":{"favourite_color":"blue")"), std::string::npos) << *shown;

  // A second snapshot versions the changed user only.
  LoadReport v2 = MustLoad({Fixture("users_v2.csv")}, kSecondLoad);
  EXPECT_EQ(v2.users.changed, 1);
  EXPECT_EQ(v2.users.unchanged, 1);
  EXPECT_EQ(catalog_->FindUser("u-0001")->age, 35);
  EXPECT_EQ(catalog_->FindUserAt("u-0001", kFirstLoad)->info.age, 34);
  EXPECT_EQ(catalog_->UserHistory("u-0001").size(), 2u);
}

TEST_F(CatalogTest, LegacySessionsParseAndReportBadRows) {
  LoadReport r = MustLoad({Fixture("legacy_sessions.csv")}, kFirstLoad);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].kind, LoadKind::kSessions);
  ASSERT_EQ(r.sessions.size(), 3u);
  const LegacySession& s1 = r.sessions[0];
  EXPECT_EQ(s1.session_id, "ls-1");
  EXPECT_EQ(s1.user_id, "u-0001");
  EXPECT_EQ(s1.content_id, "m-0001");
  EXPECT_EQ(FormatDate(s1.watch_date), "2024-03-01");
  EXPECT_EQ(s1.watch_ms, 5730000);
  EXPECT_DOUBLE_EQ(s1.completion_percentage, 87.5);
  EXPECT_EQ(s1.device_type, DeviceType::kTv);  // "Smart TV"
  EXPECT_EQ(s1.quality_height, 2160);
  EXPECT_EQ(r.sessions[1].quality_height, 720);
  EXPECT_EQ(r.sessions[2].device_type, DeviceType::kUnknown);
  EXPECT_EQ(r.sessions[2].quality_height, 0);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_NE(r.errors[0].reason.find("watch_date"), std::string::npos);
  EXPECT_EQ(r.errors[1].line, 5);
  EXPECT_NE(r.errors[1].reason.find("completion_percentage"), std::string::npos);
  EXPECT_EQ(Counts()["users"], 0);  // sessions are returned, not stored in the catalog
}

TEST_F(CatalogTest, KindOverrideAndUndetectableFiles) {
  auto path = dir_ / "mystery.csv";
  std::ofstream(path) << "a,b\n1,2\n";
  auto r = catalog_->Load({path.string()}, LoadKind::kAuto, kFirstLoad);
  EXPECT_FALSE(r.ok());
  auto forced = catalog_->Load({path.string()}, LoadKind::kUsers, kFirstLoad);
  EXPECT_FALSE(forced.ok());  // no user_id column
  EXPECT_EQ(forced.status().code(), StatusCode::kInvalidArgument);
  auto missing = catalog_->Load({(dir_ / "nope.json").string()}, LoadKind::kAuto, kFirstLoad);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseLoadKind("sessions"), LoadKind::kSessions);
  EXPECT_FALSE(ParseLoadKind("movies").has_value());
}

TEST_F(CatalogTest, AFailedLoadAppliesNothing) {
  // The second file cannot be read: the first file's rows must not load.
  auto r = catalog_->Load({Fixture("catalog_nested.json"), (dir_ / "missing.csv").string()}, LoadKind::kAuto,
                          kFirstLoad);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(catalog_->FindTitle("m-0001"), nullptr);
  EXPECT_EQ(Counts()["title_versions"], 0);
}

TEST_F(CatalogTest, ShowEpisodeNamesSeriesSeasonNumberLengthCredits) {
  MustLoad({Fixture("catalog_nested.json")}, kFirstLoad);
  auto shown = app::ShowCatalogItem(*catalog_, "s-0042-e0101", false, app::ShowFormat::kJson);
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(*shown).get(doc), simdjson::SUCCESS) << *shown;
  EXPECT_EQ(std::string_view(doc["kind"]), "episode");
  EXPECT_EQ(std::string_view(doc["series"]["title_id"]), "s-0042");
  EXPECT_EQ(std::string_view(doc["series"]["title"]), "Seoul Nights");
  EXPECT_EQ(int64_t(doc["season_number"]), 1);
  EXPECT_EQ(int64_t(doc["episode_number"]), 1);
  EXPECT_DOUBLE_EQ(double(doc["length_seconds"]), 2700.0);
  EXPECT_DOUBLE_EQ(double(doc["credits_start_seconds"]), 2580.0);
  auto table = app::ShowCatalogItem(*catalog_, "s-0042-e0101", false, app::ShowFormat::kTable);
  ASSERT_TRUE(table.ok());
  EXPECT_NE(table->find("s-0042 (Seoul Nights)"), std::string::npos) << *table;
  EXPECT_EQ(app::ShowCatalogItem(*catalog_, "nope", false, app::ShowFormat::kJson).status().code(),
            StatusCode::kNotFound);
}

TEST_F(CatalogTest, ShowHistoryListsEveryVersion) {
  MustLoad({Fixture("catalog_nested.json")}, kFirstLoad);
  MustLoad({Fixture("catalog_snapshot2.ndjson")}, kSecondLoad);
  auto shown = app::ShowCatalogItem(*catalog_, "s-0042", true, app::ShowFormat::kJson);
  ASSERT_TRUE(shown.ok());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(*shown).get(doc), simdjson::SUCCESS) << *shown;
  EXPECT_EQ(std::string_view(doc["kind"]), "series");
  EXPECT_EQ(int64_t(doc["episode_count"]), 3);
  EXPECT_EQ(int64_t(doc["season_count"]), 2);
  simdjson::dom::array versions = doc["versions"];
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(std::string_view(versions.at(0)["production_status"]), "ongoing");
  EXPECT_EQ(std::string_view(versions.at(0)["valid_from"]), "2025-01-01T00:00:00.000Z");
  EXPECT_EQ(std::string_view(versions.at(0)["valid_to"]), "2025-07-01T00:00:00.000Z");
  EXPECT_EQ(std::string_view(versions.at(1)["production_status"]), "ended");
  EXPECT_EQ(std::string_view(versions.at(1)["production_end_date"]), "2025-06-30");
  EXPECT_TRUE(versions.at(1)["valid_to"].is_null());
  auto table = app::ShowCatalogItem(*catalog_, "s-0042", true, app::ShowFormat::kTable);
  ASSERT_TRUE(table.ok());
  EXPECT_NE(table->find("versions:"), std::string::npos);
  EXPECT_NE(table->find("(current)"), std::string::npos) << *table;
  // A movie is shown as a title with its playable attributes.
  auto movie = app::ShowCatalogItem(*catalog_, "m-0001", false, app::ShowFormat::kJson);
  ASSERT_TRUE(movie.ok());
  EXPECT_NE(movie->find(R"("kind":"movie")"), std::string::npos);
  EXPECT_NE(movie->find(R"("length_seconds":6840.000)"), std::string::npos) << *movie;
}

TEST_F(CatalogTest, StatsRenderAsJsonAndTable) {
  MustLoad({Fixture("catalog_nested.json")}, kFirstLoad);
  auto stats = catalog_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_NE(app::RenderCatalogStats(*stats, app::ShowFormat::kJson).find(R"("titles":4)"), std::string::npos)
      << app::RenderCatalogStats(*stats, app::ShowFormat::kJson);
  EXPECT_NE(app::RenderCatalogStats(*stats, app::ShowFormat::kTable).find("content_items"),
            std::string::npos);
}

}  // namespace
}  // namespace ws

namespace ws {
namespace {

class CatalogKeysTest : public CatalogTest {};

TEST_F(CatalogKeysTest, RowsAttachToTheKeysFactsCarry) {
  MustLoad({Fixture("catalog_nested.json"), Fixture("users_extra_columns.csv")}, kFirstLoad);
  store::KeyRegistry registry;
  // An item and a user seen in events first keep the keys they got then.
  const uint32_t seen_item = registry.Dictionary(kContentKeys).Intern("s-0042-e0101");
  const uint32_t seen_user = registry.Dictionary(kUserKeys).Intern("nobody-in-the-catalog");
  catalog_->RegisterKeys(registry);
  EXPECT_EQ(registry.Dictionary(kContentKeys).Intern("s-0042-e0101"), seen_item);
  EXPECT_GT(registry.Dictionary(kContentKeys).size(), 1u);
  EXPECT_GT(registry.Dictionary(kUserKeys).size(), 1u);
  catalog_->AttachKeys(registry);
  const ContentInfo* item = catalog_->FindContentByKey(seen_item);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->content_id, "s-0042-e0101");
  EXPECT_EQ(catalog_->FindUserByKey(seen_user), nullptr) << "a key without a catalog row";
  for (uint32_t k = 1; k <= registry.Dictionary(kUserKeys).size(); ++k) {
    const UserInfo* u = catalog_->FindUserByKey(k);
    if (u != nullptr) {
      EXPECT_EQ(u->user_id, registry.Dictionary(kUserKeys).Name(k));
    }
  }
  EXPECT_EQ(catalog_->FindContentByKey(0), nullptr);
  EXPECT_EQ(catalog_->FindContentByKey(1u << 30), nullptr);
  // Registering again assigns nothing new.
  const uint32_t before = registry.Dictionary(kContentKeys).size();
  catalog_->RegisterKeys(registry);
  EXPECT_EQ(registry.Dictionary(kContentKeys).size(), before);
}

}  // namespace
}  // namespace ws
