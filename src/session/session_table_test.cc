// The sessions table: what a damaged sessions file holds is reported as
// corruption, never computed with.
#include "session/session_table.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>

#include "util/mem_env.h"

namespace ws {
namespace {

constexpr char kDir[] = "/db";
constexpr DayNumber kDay{20727};

// A sessions file of one session whose columns are all zero except
// `overrides` (by column name).
store::NewFile OneSession(const store::TableDef& def, const std::map<std::string, int64_t>& overrides) {
  store::TableWriter w(&def);
  for (size_t c = 0; c < def.schema.columns.size(); ++c) {
    const store::ColumnSchema& col = def.schema.columns[c];
    if (static_cast<int>(c) == def.key_hash_lo || static_cast<int>(c) == def.key_hash_hi ||
        static_cast<int>(c) == def.tombstone) {
      continue;  // filled by the writer
    }
    if (col.type == store::ColumnType::kString) {
      w.strings(c).push_back("5f0c0001-7d1e-4c2b-8a9f-000000000001");
    } else {
      auto it = overrides.find(col.name);
      w.ints(c).push_back(it == overrides.end() ? 0 : it->second);
    }
  }
  Result<store::NewFile> f = w.Finish(kDay.v);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return std::move(f).value();
}

Status ReadAll(const store::Store& store, const SessionKeys& keys) {
  return ForEachSession(*store.snapshot(), keys, kDay, [](const SessionRecord&) { return Status::Ok(); });
}

// start + duration overflowed int64 (undefined behaviour) when a damaged
// file held a huge duration; it is now a column out of range.
TEST(SessionTableTest, ADurationThatOverflowsTheEndIsCorruption) {
  MemEnv env;
  store::StoreOptions o;
  o.env = &env;
  o.tables = {SessionsTableDef()};
  auto store = store::Store::Open(kDir, o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  SessionKeys keys((*store)->keys());
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  store::CommitRequest req;
  req.files.push_back(OneSession(*(*store)->table(kSessionsTable), {{"start", 1}, {"duration", kMax}}));
  ASSERT_TRUE((*store)->Commit(std::move(req)).ok());
  Status st = ReadAll(**store, keys);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("column 'duration'"), std::string::npos) << st.ToString();

  // The largest end that fits is read back as it is.
  store::CommitRequest fits;
  fits.files.push_back(OneSession(*(*store)->table(kSessionsTable), {{"start", 1}, {"duration", kMax - 1}}));
  ASSERT_TRUE((*store)->Commit(std::move(fits)).ok());
  int64_t end = 0;
  ASSERT_TRUE(ForEachSession(*(*store)->snapshot(), keys, kDay, [&](const SessionRecord& s) {
                end = s.end.v;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(end, kMax);
}

}  // namespace
}  // namespace ws
