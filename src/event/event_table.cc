// The event module's tables (event/event_table.h).
#include "event/event_table.h"

#include <algorithm>
#include <limits>

#include "util/fast_equal.h"

namespace ws {
namespace {

using store::ColumnType;
using store::EncodingHint;

// Columns of table "events", in schema order.
enum EventColumn : size_t {
  kSid = 0,
  kEid,
  kType,
  kTs,
  kTsOffset,
  kPos,
  kFrom,
  kQuality,
  kAutoplay,
  kDeviceType,
  kCountry,
  kContentLength,
  kUserId,
  kContentId,
  kDeviceId,
  kPlatform,
  kAppVersion,
  kTz,
  kMetadata,
  kEventColumns,
};

// Columns of table "quarantine".
enum QuarantineColumn : size_t {
  kReason = 0,
  kMessage,
  kRaw,
  kSource,
  kLine,
  kReceivedAt,
  kQuarantineColumns
};

constexpr uint8_t kMaxEventType = static_cast<uint8_t>(EventType::kComplete);
constexpr uint8_t kMaxDeviceType = static_cast<uint8_t>(DeviceType::kOther);
constexpr uint8_t kMinRejectReason = static_cast<uint8_t>(RejectReason::kNotJson);
constexpr uint8_t kMaxRejectReason = static_cast<uint8_t>(RejectReason::kLineTooLong);
constexpr int kCountryShift = 8;
constexpr int64_t kCountryMax = 0xffff;
constexpr uint8_t kByteMask = 0xff;
// Rows ahead to prefetch when encoding (the Event, then its event id bytes).
constexpr size_t kPrefetchRows = 16;
constexpr size_t kPrefetchStringRows = 8;
constexpr size_t kCacheLine = 64;

template <typename T>
bool Fits(int64_t v) {
  return v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
}

store::TableDef MakeEventsDef() {
  store::TableDef d;
  d.schema.name = std::string(kEventsTable);
  d.schema.version = 1;
  d.schema.columns = {
      {"session_id", ColumnType::kString, EncodingHint::kDictUuid, "", /*string_stats=*/true},
      {"event_id", ColumnType::kString, EncodingHint::kUuid, ""},
      {"type", ColumnType::kInt64, EncodingHint::kAuto, ""},
      {"ts", ColumnType::kInt64, EncodingHint::kVarintDelta, ""},
      {"ts_offset", ColumnType::kInt64, EncodingHint::kRle, ""},
      {"position", ColumnType::kInt64, EncodingHint::kVarintRefDelta, "ts"},
      {"from_position", ColumnType::kInt64, EncodingHint::kRle, ""},
      {"quality", ColumnType::kInt64, EncodingHint::kRle, ""},
      {"autoplay", ColumnType::kInt64, EncodingHint::kRle, ""},
      {"device_type", ColumnType::kInt64, EncodingHint::kRle, ""},
      {"country", ColumnType::kInt64, EncodingHint::kRle, ""},
      {"content_length", ColumnType::kInt64, EncodingHint::kRle, ""},
      {"user_id", ColumnType::kString, EncodingHint::kAuto, ""},
      {"content_id", ColumnType::kString, EncodingHint::kAuto, ""},
      {"device_id", ColumnType::kString, EncodingHint::kAuto, ""},
      {"platform", ColumnType::kString, EncodingHint::kAuto, ""},
      {"app_version", ColumnType::kString, EncodingHint::kAuto, ""},
      {"tz", ColumnType::kString, EncodingHint::kAuto, ""},
      {"metadata", ColumnType::kString, EncodingHint::kAuto, ""},
  };
  d.mode = store::TableMode::kAppend;
  d.partitions = store::PartitionKind::kDay;
  d.sort_key = {"session_id", "ts", "type", "position", "event_id"};
  return d;
}

store::TableDef MakeQuarantineDef() {
  store::TableDef d;
  d.schema.name = std::string(kQuarantineTable);
  d.schema.version = 1;
  d.schema.columns = {
      {"reason", ColumnType::kInt64, EncodingHint::kAuto, ""},
      {"message", ColumnType::kString, EncodingHint::kAuto, ""},
      {"raw", ColumnType::kString, EncodingHint::kPlain, ""},
      {"source", ColumnType::kString, EncodingHint::kAuto, ""},
      {"line", ColumnType::kInt64, EncodingHint::kAuto, ""},
      {"received_at", ColumnType::kInt64, EncodingHint::kVarintDelta, ""},
  };
  d.mode = store::TableMode::kAppend;
  d.partitions = store::PartitionKind::kNone;
  return d;
}

store::TableDef Finalized(store::TableDef d) {
  Status st = d.Finalize();
  (void)st;  // constant definitions; event_table_test checks that they finalize
  return d;
}

Status OutOfRange(const store::TableFile& file, size_t block, std::string_view column) {
  return Status::Corruption("corrupt store file " + file.path() + ": column '" + std::string(column) +
                            "', block " + std::to_string(block) + ": a value is out of range");
}

Status EventsFromBatch(const store::TableFile& file, size_t block, const std::vector<uint8_t>* keep_rows,
                       EventBlock* out);

const std::vector<std::string>& EventColumnNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& c : EventsTableDef().schema.columns) v.push_back(c.name);
    return v;
  }();
  return names;
}

}  // namespace

const store::TableDef& EventsTableDef() {
  static const store::TableDef def = Finalized(MakeEventsDef());
  return def;
}

const store::TableDef& QuarantineTableDef() {
  static const store::TableDef def = Finalized(MakeQuarantineDef());
  return def;
}

SessionSet::SessionSet(std::vector<std::string_view> ids) : sorted_(std::move(ids)) {
  std::sort(sorted_.begin(), sorted_.end());
  sorted_.erase(std::unique(sorted_.begin(), sorted_.end()), sorted_.end());
}

bool SessionSet::Contains(std::string_view id) const {
  return std::binary_search(sorted_.begin(), sorted_.end(), id);
}

bool SessionSet::AnyIn(std::string_view lo, std::string_view hi) const {
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), lo);
  return it != sorted_.end() && *it <= hi;
}

std::vector<uint32_t> EventFileOrder(std::span<const Event* const> events) {
  const size_t n = events.size();
  std::vector<uint32_t> order(n);
  // Writers usually hand over events grouped by session (each session's
  // events contiguous and in order) with the sessions in no particular
  // order. Cut the input into runs of one session, sort the runs by session
  // id, then sort within a session only where its runs were several or out
  // of order. No hashing; linear when the input is grouped.
  struct Run {
    uint32_t begin;
    uint32_t end;
  };
  std::vector<Run> runs;
  for (uint32_t i = 0; i < n;) {
    uint32_t j = i + 1;
    while (j < n && FastEqual(events[j]->session_id, events[i]->session_id)) ++j;
    runs.push_back({i, j});
    i = j;
  }
  if (runs.size() > 1) {
    std::stable_sort(runs.begin(), runs.end(), [&](const Run& a, const Run& b) {
      return events[a.begin]->session_id < events[b.begin]->session_id;
    });
  }
  auto by_order = [&](uint32_t a, uint32_t b) { return CompareEventOrder(*events[a], *events[b]) < 0; };
  size_t at = 0;
  for (size_t r = 0; r < runs.size();) {
    size_t group_end = r + 1;
    while (group_end < runs.size() &&
           FastEqual(events[runs[group_end].begin]->session_id, events[runs[r].begin]->session_id)) {
      ++group_end;
    }
    const size_t first = at;
    for (size_t k = r; k < group_end; ++k) {
      for (uint32_t i = runs[k].begin; i < runs[k].end; ++i) order[at++] = i;
    }
    auto lo = order.begin() + static_cast<ptrdiff_t>(first);
    auto hi = order.begin() + static_cast<ptrdiff_t>(at);
    if (!std::is_sorted(lo, hi, by_order)) std::stable_sort(lo, hi, by_order);
    r = group_end;
  }
  return order;
}

Result<store::NewFile> EncodeEvents(const store::TableDef& def, std::span<const Event* const> events,
                                    DayNumber day, std::span<const uint32_t> given_order) {
  std::vector<uint32_t> computed;
  if (given_order.empty()) {
    computed = EventFileOrder(events);
    given_order = computed;
  }
  if (given_order.size() != events.size()) {
    return Status::InvalidArgument("event file row order does not match the number of events");
  }
  store::TableWriter w(&def);
  const size_t n = events.size();
  // Rows are handed over a block at a time (FlushSorted): the column
  // buffers hold one block and are reused, instead of every column of the
  // day materialised at once.
  int64_t* type = nullptr;
  int64_t* ts = nullptr;
  int64_t* ts_offset = nullptr;
  int64_t* pos = nullptr;
  int64_t* from = nullptr;
  int64_t* quality = nullptr;
  int64_t* autoplay = nullptr;
  int64_t* device_type = nullptr;
  int64_t* country = nullptr;
  int64_t* content_length = nullptr;
  int64_t** int_columns[] = {&type,    &ts,       &ts_offset,   &pos,     &from,
                             &quality, &autoplay, &device_type, &country, &content_length};
  const size_t int_indexes[] = {kType,    kTs,       kTsOffset,   kPos,     kFrom,
                                kQuality, kAutoplay, kDeviceType, kCountry, kContentLength};
  const size_t string_indexes[] = {kSid,      kEid,        kUserId, kContentId, kDeviceId,
                                   kPlatform, kAppVersion, kTz,     kMetadata};
  std::string_view* strs[kEventColumns] = {};
  for (size_t base = 0; base < n; base += store::kBlockRows) {
    const size_t m = std::min(store::kBlockRows, n - base);
    // Size every column once per block and fill by index: no capacity
    // check per value.
    for (size_t k = 0; k < std::size(int_indexes); ++k) {
      w.ints(int_indexes[k]).resize(m);
      *int_columns[k] = w.ints(int_indexes[k]).data();
    }
    for (size_t c : string_indexes) {
      w.strings(c).resize(m);
      strs[c] = w.strings(c).data();
    }
    for (size_t i = 0; i < m; ++i) {
      const size_t r = base + i;
      // Rows come through a permutation: ask for the Event a few rows
      // ahead, and (once it has arrived) for its event id, unique per row
      // and so wherever the parser put it.
      if (r + kPrefetchRows < n) {
        const char* ahead = reinterpret_cast<const char*>(events[given_order[r + kPrefetchRows]]);
        for (size_t line = 0; line < sizeof(Event); line += kCacheLine) __builtin_prefetch(ahead + line);
      }
      if (r + kPrefetchStringRows < n)
        __builtin_prefetch(events[given_order[r + kPrefetchStringRows]]->event_id.data());
      const Event& e = *events[given_order[r]];
      if (static_cast<uint8_t>(e.type) > kMaxEventType ||
          static_cast<uint8_t>(e.device_type) > kMaxDeviceType) {
        return Status::InvalidArgument("cannot store an event with an undefined type or device type");
      }
      strs[kSid][i] = e.session_id;
      strs[kEid][i] = e.event_id;
      type[i] = static_cast<int64_t>(e.type);
      ts[i] = e.ts.v;
      ts_offset[i] = int64_t{e.ts_offset_minutes} * 2 + (e.has_ts_offset ? 1 : 0);
      pos[i] = e.position_ms;
      from[i] = e.from_position_ms;
      quality[i] = e.quality_height;
      autoplay[i] = e.autoplay;
      device_type[i] = static_cast<int64_t>(e.device_type);
      country[i] = static_cast<int64_t>(static_cast<uint8_t>(e.country[0])) |
                   (static_cast<int64_t>(static_cast<uint8_t>(e.country[1])) << kCountryShift);
      content_length[i] = e.content_length_ms;
      strs[kUserId][i] = e.user_id;
      strs[kContentId][i] = e.content_id;
      strs[kDeviceId][i] = e.device_id;
      strs[kPlatform][i] = e.platform;
      strs[kAppVersion][i] = e.app_version;
      strs[kTz][i] = e.tz;
      strs[kMetadata][i] = e.metadata;
    }
    WS_RETURN_IF_ERROR(w.FlushSorted());
  }
  return w.Finish(day.v);
}

Status DecodeEventsBlock(const store::PartitionReader& reader, size_t block, EventBlock* out,
                         const SessionSet* wanted) {
  out->events.clear();
  std::vector<uint8_t> keep;
  if (wanted != nullptr) {
    const store::ChunkStats* st = reader.stats(block, "session_id");
    if (st != nullptr && st->has_string && !wanted->AnyIn(st->smin, st->smax)) return Status::Ok();
    WS_RETURN_IF_ERROR(reader.Read(block, {"session_id"}, &out->batch));
    const store::StringColumn& sids = out->batch.strings(0);
    keep.assign(sids.size(), 0);
    bool any = false;
    if (sids.is_dict()) {
      std::vector<uint8_t> dict_keep(sids.dict().size());
      for (size_t k = 0; k < dict_keep.size(); ++k)
        any |= (dict_keep[k] = wanted->Contains(sids.dict()[k])) != 0;
      for (size_t r = 0; r < sids.size(); ++r) keep[r] = dict_keep[sids.codes()[r]];
    } else {
      for (size_t r = 0; r < sids.size(); ++r) any |= (keep[r] = wanted->Contains(sids.at(r))) != 0;
    }
    if (!any) return Status::Ok();
  }
  WS_RETURN_IF_ERROR(reader.Read(block, EventColumnNames(), &out->batch));
  return EventsFromBatch(reader.file_of(block), block, wanted != nullptr ? &keep : nullptr, out);
}

Status DecodeEventsFileBlock(const store::TableFile& file, size_t block, EventBlock* out) {
  out->events.clear();
  WS_RETURN_IF_ERROR(store::ReadBlockColumns(file, block, EventColumnNames(), nullptr, &out->batch));
  return EventsFromBatch(file, block, nullptr, out);
}

namespace {

Status EventsFromBatch(const store::TableFile& file, size_t block, const std::vector<uint8_t>* keep_rows,
                       EventBlock* out) {
  const store::ColumnBatch& b = out->batch;
  const size_t n = b.rows();
  const std::vector<uint8_t>& keep = keep_rows != nullptr ? *keep_rows : std::vector<uint8_t>();
  out->events.reserve(keep_rows == nullptr ? n
                                           : static_cast<size_t>(std::count(keep.begin(), keep.end(), 1)));
  for (size_t r = 0; r < n; ++r) {
    if (keep_rows != nullptr && !keep[r]) continue;
    Event e;
    e.session_id = b.strings(kSid).at(r);
    e.event_id = b.strings(kEid).at(r);
    int64_t type = b.ints(kType)[r];
    if (type < 0 || type > kMaxEventType) return OutOfRange(file, block, "type");
    e.type = static_cast<EventType>(type);
    e.ts.v = b.ints(kTs)[r];
    int64_t off = b.ints(kTsOffset)[r];
    e.has_ts_offset = (off & 1) != 0;
    int64_t minutes = (off - (e.has_ts_offset ? 1 : 0)) / 2;
    if (!Fits<int16_t>(minutes)) return OutOfRange(file, block, "ts_offset");
    e.ts_offset_minutes = static_cast<int16_t>(minutes);
    e.position_ms = b.ints(kPos)[r];
    e.from_position_ms = b.ints(kFrom)[r];
    if (e.position_ms < kAbsent || e.from_position_ms < kAbsent) return OutOfRange(file, block, "position");
    int64_t quality = b.ints(kQuality)[r];
    if (!Fits<int32_t>(quality)) return OutOfRange(file, block, "quality");
    e.quality_height = static_cast<int32_t>(quality);
    int64_t autoplay = b.ints(kAutoplay)[r];
    if (autoplay < -1 || autoplay > 1) return OutOfRange(file, block, "autoplay");
    e.autoplay = static_cast<int8_t>(autoplay);
    int64_t device = b.ints(kDeviceType)[r];
    if (device < 0 || device > kMaxDeviceType) return OutOfRange(file, block, "device_type");
    e.device_type = static_cast<DeviceType>(device);
    int64_t country = b.ints(kCountry)[r];
    if (country < 0 || country > kCountryMax) return OutOfRange(file, block, "country");
    e.country[0] = static_cast<char>(country & kByteMask);
    e.country[1] = static_cast<char>(country >> kCountryShift);
    e.content_length_ms = b.ints(kContentLength)[r];
    e.user_id = b.strings(kUserId).at(r);
    e.content_id = b.strings(kContentId).at(r);
    e.device_id = b.strings(kDeviceId).at(r);
    e.platform = b.strings(kPlatform).at(r);
    e.app_version = b.strings(kAppVersion).at(r);
    e.tz = b.strings(kTz).at(r);
    e.metadata = b.strings(kMetadata).at(r);
    out->events.push_back(e);
  }
  return Status::Ok();
}

}  // namespace

Status ReadEvents(const store::Snapshot& snap, DayNumber day,
                  const std::function<Status(const EventBlock&)>& fn, const SessionSet* wanted) {
  WS_ASSIGN_OR_RETURN(std::shared_ptr<const store::PartitionReader> reader,
                      snap.Partition(kEventsTable, day.v));
  EventBlock block;
  for (size_t b = 0; b < reader->block_count(); ++b) {
    WS_RETURN_IF_ERROR(DecodeEventsBlock(*reader, b, &block, wanted));
    if (!block.events.empty()) WS_RETURN_IF_ERROR(fn(block));
  }
  return Status::Ok();
}

Result<store::NewFile> EncodeRejections(std::span<const Rejection> rejections) {
  store::TableWriter w(&QuarantineTableDef());
  for (const Rejection& r : rejections) {
    uint8_t code = static_cast<uint8_t>(r.reason);
    if (code < kMinRejectReason || code > kMaxRejectReason) {
      return Status::InvalidArgument("cannot store a rejection with an undefined reason code " +
                                     std::to_string(code));
    }
    w.ints(kReason).push_back(code);
    w.strings(kMessage).push_back(r.message);
    w.strings(kRaw).push_back(r.raw);
    w.strings(kSource).push_back(r.source);
    w.ints(kLine).push_back(r.line);
    w.ints(kReceivedAt).push_back(r.received_at.v);
  }
  return w.Finish(0);
}

namespace {

const std::vector<std::string>& QuarantineColumnNames() {
  static const std::vector<std::string> columns = {"reason", "message", "raw",
                                                   "source", "line",    "received_at"};
  return columns;
}

// Calls fn for each rejection of block `blk` of `file` (read into *b).
Status RejectionsOfBlock(const store::TableFile& file, size_t blk, store::ColumnBatch* b,
                         const std::function<Status(const Rejection&)>& fn) {
  WS_RETURN_IF_ERROR(store::ReadBlockColumns(file, blk, QuarantineColumnNames(), nullptr, b));
  for (size_t r = 0; r < b->rows(); ++r) {
    int64_t code = b->ints(kReason)[r];
    if (code < kMinRejectReason || code > kMaxRejectReason) return OutOfRange(file, blk, "reason");
    Rejection rej;
    rej.reason = static_cast<RejectReason>(code);
    rej.message = std::string(b->strings(kMessage).at(r));
    rej.raw = std::string(b->strings(kRaw).at(r));
    rej.source = std::string(b->strings(kSource).at(r));
    rej.line = b->ints(kLine)[r];
    rej.received_at.v = b->ints(kReceivedAt)[r];
    WS_RETURN_IF_ERROR(fn(rej));
  }
  return Status::Ok();
}

}  // namespace

Status ReadRejections(const store::Snapshot& snap, const std::function<Status(const Rejection&)>& fn) {
  for (int32_t p : snap.Partitions(kQuarantineTable)) {
    WS_ASSIGN_OR_RETURN(std::shared_ptr<const store::PartitionReader> reader,
                        snap.Partition(kQuarantineTable, p));
    store::ColumnBatch b;
    for (size_t blk = 0; blk < reader->block_count(); ++blk) {
      const store::BlockRef& ref = reader->block(blk);
      WS_RETURN_IF_ERROR(RejectionsOfBlock(reader->file_of(blk), ref.block, &b, fn));
    }
  }
  return Status::Ok();
}

Status DecodeRejectionsFile(const store::TableFile& file, std::vector<Rejection>* out) {
  store::ColumnBatch b;
  for (size_t blk = 0; blk < file.block_count(); ++blk) {
    WS_RETURN_IF_ERROR(RejectionsOfBlock(file, blk, &b, [&](const Rejection& r) {
      out->push_back(r);
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

}  // namespace ws
