// The event module's tables: events and rejections round-trip exactly
// through the store, realistic data meets the size target, and reading
// back the events of a few sessions touches only the blocks that hold them.
#include "event/event_table.h"

#include <gtest/gtest.h>

#include "store_test_util.h"
#include "util/mem_env.h"

namespace ws {
namespace {

using store::testing::ExpectEventsEq;
using store::testing::ExpectRejectionEq;
using store::testing::MakeRealisticEvents;

constexpr char kDir[] = "/db";
// Issue 2's target, on realistic data with random UUID event ids.
constexpr double kMaxBytesPerEvent = 32.0;

std::unique_ptr<store::Store> OpenStore(MemEnv* env) {
  store::StoreOptions o;
  o.env = env;
  o.tables = {EventsTableDef(), QuarantineTableDef()};
  auto s = store::Store::Open(kDir, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

std::vector<const Event*> Refs(const std::vector<Event>& events) {
  std::vector<const Event*> refs;
  for (const Event& e : events) refs.push_back(&e);
  return refs;
}

// The events of `day` (their strings copied into `arena`).
std::vector<Event> ReadDay(const store::Snapshot& snap, DayNumber day, StringArena* arena,
                           const SessionSet* wanted = nullptr, size_t* blocks = nullptr) {
  std::vector<Event> out;
  EXPECT_TRUE(ReadEvents(
                  snap, day,
                  [&](const EventBlock& b) {
                    if (blocks != nullptr) ++*blocks;
                    for (const Event& e : b.events) out.push_back(CopyEventTo(e, arena));
                    return Status::Ok();
                  },
                  wanted)
                  .ok());
  return out;
}

TEST(EventTableTest, DefinitionsFinalize) {
  store::TableDef e = EventsTableDef();
  EXPECT_TRUE(e.Finalize().ok());
  store::TableDef q = QuarantineTableDef();
  EXPECT_TRUE(q.Finalize().ok());
}

TEST(EventTableTest, EventsRoundTripInFileOrder) {
  StringArena arena;
  std::vector<Event> events = MakeRealisticEvents(30, 5, &arena);
  const DayNumber day = DayOf(events.front().ts);
  MemEnv env;
  auto store = OpenStore(&env);
  store::CommitRequest req;
  auto file = EncodeEvents(EventsTableDef(), Refs(events), day);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const double per_event = static_cast<double>(file->image.size()) / static_cast<double>(events.size());
  req.files.push_back(std::move(*file));
  ASSERT_TRUE(store->Commit(std::move(req)).ok());
  std::vector<Event> want = events;
  std::stable_sort(want.begin(), want.end(), [](const Event& a, const Event& b) {
    int c = a.session_id.compare(b.session_id);
    return c != 0 ? c < 0 : CompareEventOrder(a, b) < 0;
  });
  StringArena read;
  ExpectEventsEq(ReadDay(*store->snapshot(), day, &read), want);
  EXPECT_LE(per_event, kMaxBytesPerEvent);
}

TEST(EventTableTest, RealisticDataMeetsBytesPerEventTarget) {
  StringArena arena;
  std::vector<Event> events = MakeRealisticEvents(1000, 42, &arena);
  auto file = EncodeEvents(EventsTableDef(), Refs(events), DayOf(events.front().ts));
  ASSERT_TRUE(file.ok());
  const double per_event = static_cast<double>(file->image.size()) / static_cast<double>(events.size());
  std::printf("%zu events: %.2f bytes per stored event\n", events.size(), per_event);
  EXPECT_LE(per_event, kMaxBytesPerEvent);
}

TEST(EventTableTest, ReadingBackFewSessionsSkipsOtherBlocks) {
  StringArena arena;
  std::vector<Event> events = MakeRealisticEvents(2000, 9, &arena);
  for (Event& e : events) e.ts = EpochMillis{int64_t{20727} * kMillisPerDay + (e.ts.v % kMillisPerDay)};
  const DayNumber day{20727};
  MemEnv env;
  auto store = OpenStore(&env);
  store::CommitRequest req;
  auto file = EncodeEvents(EventsTableDef(), Refs(events), day);
  ASSERT_TRUE(file.ok());
  req.files.push_back(std::move(*file));
  ASSERT_TRUE(store->Commit(std::move(req)).ok());
  auto reader = store->snapshot()->Partition(kEventsTable, day.v);
  ASSERT_TRUE(reader.ok());
  ASSERT_GE((*reader)->block_count(), 3u);
  // One session: its events are in one block (or two, at a boundary).
  std::string_view one = events[events.size() / 2].session_id;
  SessionSet wanted({one});
  size_t blocks = 0;
  StringArena read;
  std::vector<Event> got = ReadDay(*store->snapshot(), day, &read, &wanted, &blocks);
  size_t expect = 0;
  for (const Event& e : events) expect += e.session_id == one;
  EXPECT_EQ(got.size(), expect);
  for (const Event& e : got) EXPECT_EQ(e.session_id, one);
  EXPECT_LE(blocks, 2u);
  size_t skippable = 0;
  for (size_t b = 0; b < (*reader)->block_count(); ++b) {
    const store::ChunkStats* st = (*reader)->stats(b, "session_id");
    ASSERT_NE(st, nullptr);
    if (!wanted.AnyIn(st->smin, st->smax)) ++skippable;
  }
  EXPECT_GE(skippable, (*reader)->block_count() - 2);
}

// An events file whose "type" column is a string column used to be decoded
// as if it were an integer column, reading ColumnBatch::ints past its end.
// The store now refuses the file.
TEST(EventTableTest, AnEventsFileWithAColumnOfTheWrongTypeIsCorruption) {
  store::TableSchema schema = EventsTableDef().schema;
  const int type = schema.Find("type");
  ASSERT_GE(type, 0);
  schema.columns[static_cast<size_t>(type)].type = store::ColumnType::kString;
  schema.columns[static_cast<size_t>(type)].hint = store::EncodingHint::kAuto;
  store::TableFileBuilder b(&schema);
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    if (schema.columns[c].type == store::ColumnType::kInt64) {
      b.ints(c).assign(2, 0);
    } else {
      b.strings(c).assign(2, "x");
    }
  }
  auto image = b.Finish();
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const DayNumber day{20727};
  MemEnv env;
  auto store = OpenStore(&env);
  store::CommitRequest req;
  req.files.push_back(store::NewFile{std::string(kEventsTable), day.v, std::move(image).value(), 2});
  ASSERT_TRUE(store->Commit(std::move(req)).ok());
  Status st = ReadEvents(*store->snapshot(), day, [](const EventBlock&) { return Status::Ok(); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("column 'type'"), std::string::npos) << st.ToString();
}

TEST(EventTableTest, RejectionsRoundTripInOrder) {
  std::vector<Rejection> rs(3);
  for (size_t i = 0; i < rs.size(); ++i) {
    rs[i].reason = i == 1 ? RejectReason::kTooLate : RejectReason::kNotJson;
    rs[i].message = "message " + std::to_string(i);
    rs[i].raw = "{raw " + std::to_string(i);
    rs[i].source = "file.ndjson";
    rs[i].line = static_cast<int64_t>(i * 7);
    rs[i].received_at.v = 1'790'000'000'000 + static_cast<int64_t>(i);
  }
  MemEnv env;
  auto store = OpenStore(&env);
  for (int commit = 0; commit < 2; ++commit) {
    store::CommitRequest req;
    auto f = EncodeRejections(rs);
    ASSERT_TRUE(f.ok());
    req.files.push_back(std::move(*f));
    ASSERT_TRUE(store->Commit(std::move(req)).ok());
  }
  std::vector<Rejection> got;
  ASSERT_TRUE(ReadRejections(*store->snapshot(), [&](const Rejection& r) {
                got.push_back(r);
                return Status::Ok();
              }).ok());
  ASSERT_EQ(got.size(), 6u);
  for (size_t i = 0; i < got.size(); ++i) ExpectRejectionEq(got[i], rs[i % 3]);
  Rejection bad;
  bad.reason = static_cast<RejectReason>(0);
  EXPECT_EQ(EncodeRejections(std::vector<Rejection>{bad}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ws
