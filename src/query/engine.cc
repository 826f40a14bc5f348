#include "query/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <thread>
#include <unordered_map>

#include "query/aggregates.h"
#include "util/u64_map.h"
#include "vocab/completion_status.h"
#include "vocab/device_type.h"

namespace ws::query {
namespace {

namespace sc = session_columns;

constexpr int64_t kHoursPerDay = 24;
constexpr int64_t kDaysPerWeek = 7;
constexpr int64_t kBucketsPerLength = 20;  // Dim::kPositionBucket: 5 % steps
// Composite keys below this many values are grouped in arrays; above, hashed.
constexpr uint64_t kDenseGroupLimit = uint64_t{1} << 18;
// A zone's local date can differ from the UTC date by one day either way.
constexpr int32_t kZoneSlackDays = 1;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// --------------------------------------------------------------------------
// Scans

// The physical columns a scan reads, and where each landed in the batch.
enum PhysCol : size_t {
  kPStart,
  kPDuration,
  kPDate,
  kPLocalDate,
  kPHour,
  kPUser,
  kPContent,
  kPCountry,
  kPDevice,
  kPPlatform,
  kPQuality,
  kPWatch,
  kPPosition,
  kPMaxPosition,
  kPLength,
  kPStatus,
  kPhysCols,
};
constexpr const char* kPhysNames[kPhysCols] = {
    sc::kStart,      sc::kDuration,   sc::kDateKey,          sc::kLocalDate,   sc::kLocalStartHour,
    sc::kUserKey,    sc::kContentKey, sc::kCountryKey,       sc::kDeviceType,  sc::kPlatformKey,
    sc::kQualityKey, sc::kWatch,      sc::kPlaybackPosition, sc::kMaxPosition, sc::kContentLength,
    sc::kStatus};

struct DimRange {
  int64_t lo = 0;
  uint64_t card = 1;
};

// Everything a scan's threads share (read-only).
struct ScanPlan {
  const ScanStep* step = nullptr;
  const QueryEnv* env = nullptr;
  DayNumber first_day;  // report dates scanned: [first_day, env->to]
  std::vector<int32_t> partitions;
  std::vector<std::string> columns;
  int slot[kPhysCols];                  // index in `columns`, -1 when not read
  std::vector<OffsetInterval> offsets;  // zone clock
  std::vector<DimRange> ranges;
  std::vector<uint64_t> strides;
  bool dense = false;
  uint64_t key_space = 1;
  int multi_dim = -1;      // index of the multi-valued key (Dim::kGenre or Dim::kBucket) in step->keys
  bool open_only = false;  // ScanFilter::Kind::kOpen
  // Per content key: 0 rejected by a content filter, 1 passes.
  std::vector<uint8_t> content_ok;
  std::optional<uint32_t> user_key, content_key;
  bool needs_length = false;
};

void Need(ScanPlan* p, PhysCol c) {
  if (p->slot[c] >= 0) return;
  p->slot[c] = static_cast<int>(p->columns.size());
  p->columns.push_back(kPhysNames[c]);
}

bool NeedsUsers(Dim d) { return d == Dim::kSubscription || d == Dim::kAgeBand; }

Status PlanScan(const ScanStep& step, const QueryEnv& env, ScanPlan* p) {
  p->step = &step;
  p->env = &env;
  std::fill(std::begin(p->slot), std::end(p->slot), -1);
  p->first_day = DayNumber{env.from.v - step.lookback_days};
  const bool zone = !env.zone.empty();
  const int32_t slack = zone ? kZoneSlackDays : 0;
  for (int32_t day : env.snapshot->Partitions(kSessionsTable)) {
    if (day >= p->first_day.v - slack && day <= env.to.v + slack) p->partitions.push_back(day);
  }
  if (zone) {
    Need(p, kPStart);
    p->offsets = ZoneOffsets(env.zone, EpochMillis{(p->first_day.v - slack) * kMillisPerDay},
                             EpochMillis{(env.to.v + slack + 1) * kMillisPerDay});
  } else {
    Need(p, kPDate);
  }
  const CommonFilter& f = env.filter;
  if (f.country_key) Need(p, kPCountry);
  if (f.device_type) Need(p, kPDevice);
  if (f.genre) Need(p, kPStart);
  const Lookups& lk = *env.lookups;
  for (const ScanFilter& sf : step.filters) {
    switch (sf.kind) {
      case ScanFilter::Kind::kUser:
        p->user_key = env.keys->user->Find(sf.value).value_or(store::kNoKey);
        Need(p, kPUser);
        break;
      case ScanFilter::Kind::kContent:
        p->content_key = env.keys->content->Find(sf.value).value_or(store::kNoKey);
        break;
      case ScanFilter::Kind::kTitle:
        break;  // resolved into content_ok below
      case ScanFilter::Kind::kHasLength:
        p->needs_length = true;
        Need(p, kPLength);
        break;
      case ScanFilter::Kind::kEpisodes:
        break;  // resolved into content_ok below
      case ScanFilter::Kind::kOpen:
        p->open_only = true;
        Need(p, kPStatus);
        break;
    }
  }
  // Content filters become one flag per content key; any of them (or the
  // genre filter, which depends on the instant) needs the content column.
  const size_t contents = lk.title_of_content.size();
  p->content_ok.assign(contents, 1);
  bool content_filtered =
      f.genre.has_value() || f.content_type.has_value() || f.title.has_value() || p->content_key.has_value();
  for (const ScanFilter& sf : step.filters) {
    content_filtered |= sf.kind == ScanFilter::Kind::kTitle || sf.kind == ScanFilter::Kind::kEpisodes;
  }
  for (size_t k = 0; content_filtered && k < contents; ++k) {
    bool ok = true;
    if (f.content_type && lk.type_of_content[k] != *f.content_type) ok = false;
    if (f.title && lk.title_of_content[k] != *f.title) ok = false;
    if (p->content_key && k != *p->content_key) ok = false;
    for (const ScanFilter& sf : step.filters) {
      if (sf.kind == ScanFilter::Kind::kTitle &&
          lk.title_id[static_cast<size_t>(lk.title_of_content[k])] != sf.value) {
        ok = false;
      }
      if (sf.kind == ScanFilter::Kind::kEpisodes && lk.type_of_content[k] != ContentType::kEpisode)
        ok = false;
    }
    p->content_ok[k] = ok;
  }
  if (content_filtered) Need(p, kPContent);

  // Dimensions.
  const int32_t days = env.to.v - p->first_day.v + 1;
  for (size_t i = 0; i < step.keys.size(); ++i) {
    DimRange r;
    switch (step.keys[i]) {
      case Dim::kDate:
        r = {p->first_day.v, static_cast<uint64_t>(std::max(days, 1))};
        break;
      case Dim::kHour:
        if (!zone) Need(p, kPHour);
        r = {0, kHoursPerDay};
        break;
      case Dim::kDaypart:
        if (!zone) Need(p, kPHour);
        r = {0, 4};
        break;
      case Dim::kWeekday:
        if (!zone) Need(p, kPLocalDate);
        r = {1, kDaysPerWeek};
        break;
      case Dim::kWeek: {
        const int32_t w0 = WeekIndex(p->first_day), w1 = WeekIndex(env.to);
        r = {w0, static_cast<uint64_t>(w1 - w0 + 1)};
        break;
      }
      case Dim::kWeekOffset: {
        Need(p, kPContent);
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        for (size_t t = 0; t < lk.title_end_day.size(); ++t) {
          const int32_t d = lk.title_end_day[t];
          if (d == Lookups::kNoDay) continue;
          if (f.title && static_cast<int32_t>(t) != *f.title) continue;
          lo = std::min(lo, d);
          hi = std::max(hi, d);
        }
        if (lo > hi) lo = hi = 0;
        const int64_t w0 = FloorDiv(p->first_day.v - hi, kDaysPerWeek);
        const int64_t w1 = FloorDiv(env.to.v - lo, kDaysPerWeek);
        r = {w0, static_cast<uint64_t>(w1 - w0 + 1)};
        break;
      }
      case Dim::kTitle:
        Need(p, kPContent);
        r = {0, lk.title_id.size()};
        break;
      case Dim::kContent:
        Need(p, kPContent);
        r = {0, contents};
        break;
      case Dim::kGenre:
        Need(p, kPContent);
        Need(p, kPStart);
        if (p->multi_dim >= 0) return Status::InvalidArgument("report definition: two multi-valued keys");
        p->multi_dim = static_cast<int>(i);
        r = {0, std::max<uint64_t>(lk.genre_names.size(), 1)};
        break;
      case Dim::kCountry:
        Need(p, kPCountry);
        r = {0, env.keys->country->size() + uint64_t{1}};
        break;
      case Dim::kDeviceType:
        Need(p, kPDevice);
        r = {0, static_cast<uint64_t>(DeviceType::kOther) + 1};
        break;
      case Dim::kPlatform:
        Need(p, kPPlatform);
        r = {0, env.keys->platform->size() + uint64_t{1}};
        break;
      case Dim::kContentType:
        Need(p, kPContent);
        r = {0, 3};
        break;
      case Dim::kQuality:
        Need(p, kPQuality);
        r = {0, env.keys->quality->size() + uint64_t{1}};
        break;
      case Dim::kSubscription:
        Need(p, kPUser);
        r = {-1, lk.subscription_names.size() + uint64_t{1}};
        break;
      case Dim::kAgeBand:
        Need(p, kPUser);
        r = {0, kAgeBandCount};
        break;
      case Dim::kUser:
        Need(p, kPUser);
        r = {0, env.keys->user->size() + uint64_t{1}};
        break;
      case Dim::kPositionBucket:
        Need(p, kPMaxPosition);
        Need(p, kPLength);
        r = {0, kBucketsPerLength + 1};
        break;
      case Dim::kStatus:
        Need(p, kPStatus);
        r = {0, kSessionStatusCount};
        break;
      case Dim::kBucket: {
        if (step.bucket_ms <= 0)
          return Status::InvalidArgument("report definition: a bucket key needs bucket_ms");
        if (p->multi_dim >= 0) return Status::InvalidArgument("report definition: two multi-valued keys");
        p->multi_dim = static_cast<int>(i);
        Need(p, kPStart);
        Need(p, kPDuration);
        const int64_t lo = FloorDiv(int64_t{p->first_day.v} * kMillisPerDay, step.bucket_ms);
        const int64_t hi = FloorDiv((int64_t{env.to.v} + 1) * kMillisPerDay - 1, step.bucket_ms);
        r = {lo, static_cast<uint64_t>(hi - lo + 1)};
        break;
      }
    }
    if (NeedsUsers(step.keys[i]) && lk.subscription_of_user.empty()) {
      return Status::Internal(
          fmt::format("report groups by {} without the user lookups", DimName(step.keys[i])));
    }
    p->ranges.push_back(r);
  }
  // The last key varies fastest, so composite order is key order.
  unsigned __int128 space = 1;
  p->strides.assign(p->ranges.size(), 0);
  for (size_t i = p->ranges.size(); i-- > 0;) {
    p->strides[i] = static_cast<uint64_t>(space);
    space *= p->ranges[i].card;
    if (space > (static_cast<unsigned __int128>(1) << 62)) {
      return Status::InvalidArgument("the report's group keys have too many combinations to count");
    }
  }
  p->key_space = static_cast<uint64_t>(space);
  p->dense = p->key_space <= kDenseGroupLimit;
  for (const Measure& m : step.measures) {
    for (Input in : m.inputs) {
      switch (in) {
        case Input::kWatchMs:
          Need(p, kPWatch);
          break;
        case Input::kDurationMs:
          Need(p, kPDuration);
          break;
        case Input::kCompletionPct:
          Need(p, kPPosition);
          Need(p, kPLength);
          break;
        case Input::kCompleted:
          Need(p, kPStatus);
          break;
        case Input::kUserKey:
        case Input::kMultilingual:
          Need(p, kPUser);
          break;
        case Input::kContentKey:
        case Input::kTitleCode:
        case Input::kTitleItems:
          Need(p, kPContent);
          break;
        case Input::kWeek:
        case Input::kDate:
          break;  // from the report date, always read
        case Input::kStartMs:
          Need(p, kPStart);
          break;
        case Input::kBucketStartMs:
        case Input::kBucketEndMs:
        case Input::kEndMs:
          Need(p, kPStart);
          Need(p, kPDuration);
          break;
      }
    }
  }
  return Status::Ok();
}

// One thread's groups and aggregate states.
struct ScanState {
  store::ColumnBatch batch;
  std::vector<std::shared_ptr<const store::IntColumn>> held;  // cached columns of the current block
  U64Map<uint32_t> index;                                     // composite -> group (hashed mode)
  std::vector<uint64_t> composites;                           // group -> composite (hashed mode)
  std::vector<int64_t> rows;                                  // group -> rows seen
  std::vector<std::unique_ptr<AggregateFunction>> aggs;
  // Scratch, per block.
  std::vector<uint32_t> sel;
  std::vector<int32_t> day, hour;
  std::vector<int64_t> genre;
  std::vector<uint64_t> comp;
  std::vector<uint32_t> gid;
  std::vector<std::vector<double>> inputs;
  std::vector<uint8_t> valid, spare, keep;
  std::vector<int64_t> codes;
  Status status;
};

// How many values an input can take, when they are dense codes from 0.
uint64_t InputDomain(Input in, const QueryEnv& env) {
  switch (in) {
    case Input::kUserKey:
      return env.keys->user->size() + uint64_t{1};
    case Input::kContentKey:
      return env.keys->content->size() + uint64_t{1};
    case Input::kTitleCode:
      return env.lookups->title_id.size();
    default:
      return 0;
  }
}

void InitState(const ScanPlan& p, ScanState* s) {
  for (const Measure& m : p.step->measures) s->aggs.push_back(MakeAggregate(m.fn));
  if (p.dense) {
    s->rows.assign(p.key_space, 0);
    for (size_t a = 0; a < s->aggs.size(); ++a) {
      const Measure& m = p.step->measures[a];
      if (!m.inputs.empty()) s->aggs[a]->SetDomain(InputDomain(m.inputs[0], *p.env));
      s->aggs[a]->Resize(p.key_space);
    }
  }
}

int64_t OffsetAt(const std::vector<OffsetInterval>& v, int64_t t) {
  size_t lo = 0, hi = v.size();
  while (hi - lo > 1) {
    const size_t mid = (lo + hi) / 2;
    if (v[mid].begin.v <= t)
      lo = mid;
    else
      hi = mid;
  }
  return v[lo].offset_ms;
}

// The block's columns, by PhysCol (nullptr when not read).
using BlockCols = std::array<const int64_t*, kPhysCols>;

// Fills out[i] with input `in` of row sel[i] (report day day[i]); valid[i]
// = 0 where it is null. One switch per block, not per row.
void InputColumn(Input in, const ScanPlan& p, const BlockCols& cols, size_t m, const uint32_t* sel,
                 const int32_t* day, const int64_t* multi, double* out, uint8_t* valid) {
  const Lookups& lk = *p.env->lookups;
  auto each = [&](auto f) {
    for (size_t i = 0; i < m; ++i) out[i] = f(sel[i], i);
  };
  auto col = [&](PhysCol c) { return cols[c]; };
  switch (in) {
    case Input::kWatchMs: {
      const int64_t* w = col(kPWatch);
      each([&](uint32_t r, size_t) { return static_cast<double>(w[r]); });
      return;
    }
    case Input::kDurationMs: {
      const int64_t* d = col(kPDuration);
      each([&](uint32_t r, size_t) { return static_cast<double>(d[r]); });
      return;
    }
    case Input::kCompletionPct: {
      const int64_t *len = col(kPLength), *pos = col(kPPosition);
      each([&](uint32_t r, size_t i) {
        if (!HasLength(len[r])) {
          valid[i] = 0;
          return 0.0;
        }
        return CompletionPercentage(pos[r], len[r]);
      });
      return;
    }
    case Input::kCompleted: {
      const int64_t* st = col(kPStatus);
      constexpr auto kDone = static_cast<int64_t>(SessionStatus::kCompleted);
      each([&](uint32_t r, size_t) { return st[r] == kDone ? 1.0 : 0.0; });
      return;
    }
    case Input::kUserKey: {
      const int64_t* u = col(kPUser);
      each([&](uint32_t r, size_t) { return static_cast<double>(u[r]); });
      return;
    }
    case Input::kContentKey: {
      const int64_t* c = col(kPContent);
      each([&](uint32_t r, size_t) { return static_cast<double>(c[r]); });
      return;
    }
    case Input::kTitleCode: {
      const int64_t* c = col(kPContent);
      each([&](uint32_t r, size_t) { return static_cast<double>(lk.TitleOf(static_cast<uint32_t>(c[r]))); });
      return;
    }
    case Input::kTitleItems: {
      const int64_t* c = col(kPContent);
      each([&](uint32_t r, size_t) {
        return static_cast<double>(
            lk.title_items[static_cast<size_t>(lk.TitleOf(static_cast<uint32_t>(c[r])))]);
      });
      return;
    }
    case Input::kWeek:
      each([&](uint32_t, size_t i) { return static_cast<double>(WeekIndex(DayNumber{day[i]})); });
      return;
    case Input::kDate:
      each([&](uint32_t, size_t i) { return static_cast<double>(day[i]); });
      return;
    case Input::kMultilingual: {
      const int64_t* u = col(kPUser);
      each([&](uint32_t r, size_t) {
        const auto k = static_cast<size_t>(u[r]);
        return k < lk.multilingual_user.size() ? static_cast<double>(lk.multilingual_user[k]) : 0.0;
      });
      return;
    }
    case Input::kStartMs: {
      const int64_t* st = col(kPStart);
      each([&](uint32_t r, size_t) { return static_cast<double>(st[r]); });
      return;
    }
    case Input::kEndMs: {
      const int64_t *st = col(kPStart), *d = col(kPDuration);
      each([&](uint32_t r, size_t) { return static_cast<double>(st[r] + d[r]); });
      return;
    }
    case Input::kBucketStartMs: {
      const int64_t* st = col(kPStart);
      const int64_t len = p.step->bucket_ms;
      each([&](uint32_t r, size_t i) { return static_cast<double>(std::max(st[r], multi[i] * len)); });
      return;
    }
    case Input::kBucketEndMs: {
      const int64_t *st = col(kPStart), *d = col(kPDuration);
      const int64_t len = p.step->bucket_ms;
      each([&](uint32_t r, size_t i) {
        return static_cast<double>(std::min(st[r] + d[r], (multi[i] + 1) * len - 1));
      });
      return;
    }
  }
}

// Filters, groups and aggregates one block.
Status ScanBlock(const ScanPlan& p, const store::PartitionReader& reader, size_t blk, ScanState* s) {
  const QueryEnv& env = *p.env;
  const Lookups& lk = *env.lookups;
  const CommonFilter& f = env.filter;
  // Skip by statistics: a filtered user or content outside the block's range.
  auto outside = [&](const char* column, std::optional<uint32_t> key) {
    if (!key) return false;
    const store::ChunkStats* st = reader.stats(blk, column);
    return st != nullptr && st->has_int && (*key < st->min || *key > st->max);
  };
  if (outside(sc::kUserKey, p.user_key) || outside(sc::kContentKey, p.content_key)) return Status::Ok();
  if (!env.zone.empty()) {
    const store::ChunkStats* st = reader.stats(blk, sc::kStart);
    const int64_t lo =
        p.first_day.v * kMillisPerDay - OffsetAt(p.offsets, p.first_day.v * kMillisPerDay) - kMillisPerDay;
    const int64_t hi = (env.to.v + 2) * kMillisPerDay;
    if (st != nullptr && st->has_int && (st->max < lo || st->min > hi)) return Status::Ok();
  }
  // The columns: from the cache, or decoded into this thread's batch.
  BlockCols cols{};
  size_t block_rows = 0;
  const std::vector<uint32_t>* selection = nullptr;
  if (env.cache != nullptr) {
    s->held.clear();
    for (size_t c = 0; c < kPhysCols; ++c) {
      if (p.slot[c] < 0) continue;
      WS_ASSIGN_OR_RETURN(std::shared_ptr<const store::IntColumn> col,
                          env.cache->Get(reader, blk, kPhysNames[c]));
      cols[c] = col->data();
      s->held.push_back(std::move(col));
    }
    block_rows = reader.block(blk).rows;
    selection = reader.live(blk);
  } else {
    WS_RETURN_IF_ERROR(reader.Read(blk, p.columns, &s->batch));
    for (size_t c = 0; c < kPhysCols; ++c) {
      if (p.slot[c] >= 0) cols[c] = s->batch.ints(static_cast<size_t>(p.slot[c])).data();
    }
    block_rows = s->batch.rows();
    selection = s->batch.selection();
  }
  auto ints = [&](PhysCol c) { return cols[c]; };
  const int64_t* start = ints(kPStart);
  const int64_t* date = ints(kPDate);
  const int64_t* local_date = ints(kPLocalDate);
  const int64_t* hourc = ints(kPHour);
  const int64_t* user = ints(kPUser);
  const int64_t* content = ints(kPContent);
  const int64_t* country = ints(kPCountry);
  const int64_t* device = ints(kPDevice);
  const int64_t* length = ints(kPLength);
  const int64_t* maxpos = ints(kPMaxPosition);

  // 1. Filter into a selection, computing each row's report day and hour.
  s->sel.resize(block_rows);
  s->day.resize(block_rows);
  s->hour.resize(block_rows);
  size_t kept = 0;
  const bool zone = !env.zone.empty();
  auto consider = [&](uint32_t r) {
    int32_t day, hour = 0;
    if (zone) {
      const int64_t local = start[r] + OffsetAt(p.offsets, start[r]);
      day = static_cast<int32_t>(FloorDiv(local, kMillisPerDay));
      hour = static_cast<int32_t>((local - int64_t{day} * kMillisPerDay) / kMillisPerHour);
    } else {
      day = static_cast<int32_t>(date[r]);
      if (hourc != nullptr) hour = static_cast<int32_t>(hourc[r]);
    }
    if (day < p.first_day.v || day > env.to.v) return;
    if (f.country_key && static_cast<uint32_t>(country[r]) != *f.country_key) return;
    if (f.device_type && device[r] != *f.device_type) return;
    if (content != nullptr) {
      const auto k = static_cast<size_t>(content[r]);
      if (k >= p.content_ok.size() || !p.content_ok[k]) return;
      if (f.genre) {
        const auto g = lk.GenresAt(static_cast<uint32_t>(k), start[r]);
        if (std::find(g.begin(), g.end(), *f.genre) == g.end()) return;
      }
    }
    if (p.user_key && static_cast<uint32_t>(user[r]) != *p.user_key) return;
    if (p.needs_length && !HasLength(length[r])) return;
    if (p.open_only && cols[kPStatus][r] != static_cast<int64_t>(SessionStatus::kInProgress)) return;
    s->sel[kept] = r;
    s->day[kept] = day;
    s->hour[kept] = hour;
    ++kept;
  };
  if (selection == nullptr) {
    for (uint32_t r = 0; r < block_rows; ++r) consider(r);
  } else {
    for (uint32_t r : *selection) consider(r);
  }
  s->sel.resize(kept);
  s->day.resize(kept);
  s->hour.resize(kept);
  if (kept == 0) return Status::Ok();

  // 2. Expand rows over a multi-valued dimension (a title in two genres
  //    counts in both genre rows).
  s->genre.clear();
  if (p.multi_dim >= 0) {
    std::vector<uint32_t> sel;
    std::vector<int32_t> day, hour;
    auto emit = [&](size_t i, int64_t code) {
      sel.push_back(s->sel[i]);
      day.push_back(s->day[i]);
      hour.push_back(s->hour[i]);
      s->genre.push_back(code);
    };
    const bool genres = p.step->keys[static_cast<size_t>(p.multi_dim)] == Dim::kGenre;
    const DimRange& rg = p.ranges[static_cast<size_t>(p.multi_dim)];
    for (size_t i = 0; i < s->sel.size(); ++i) {
      const uint32_t r = s->sel[i];
      if (genres) {
        for (uint16_t g : lk.GenresAt(static_cast<uint32_t>(content[r]), start[r])) emit(i, g);
        continue;
      }
      // Every bucket the session is open in, within the scanned dates.
      const int64_t len = p.step->bucket_ms;
      const int64_t first = std::max(FloorDiv(start[r], len), rg.lo);
      const int64_t last =
          std::min(FloorDiv(start[r] + cols[kPDuration][r], len), rg.lo + static_cast<int64_t>(rg.card) - 1);
      for (int64_t b = first; b <= last; ++b) emit(i, b);
    }
    s->sel.swap(sel);
    s->day.swap(day);
    s->hour.swap(hour);
  }
  const size_t n = s->sel.size();

  // 3. Composite group keys: per key, its codes for every row (one switch
  //    per block), then offsets into the composite.
  s->comp.assign(n, 0);
  s->keep.assign(n, 1);
  s->codes.resize(n);
  int64_t* codes = s->codes.data();
  const uint32_t* sel = s->sel.data();
  auto fill = [&](auto f) {
    for (size_t i = 0; i < n; ++i) codes[i] = f(sel[i], i);
  };
  auto col_of = [&](PhysCol c) { return cols[c]; };
  for (size_t d = 0; d < p.step->keys.size(); ++d) {
    switch (p.step->keys[d]) {
      case Dim::kDate:
        fill([&](uint32_t, size_t i) { return int64_t{s->day[i]}; });
        break;
      case Dim::kHour:
        fill([&](uint32_t, size_t i) { return int64_t{s->hour[i]}; });
        break;
      case Dim::kDaypart:
        fill([&](uint32_t, size_t i) { return int64_t{DaypartOf(s->hour[i])}; });
        break;
      case Dim::kWeekday:
        fill([&](uint32_t r, size_t i) {
          return int64_t{IsoWeekday(DayNumber{zone ? s->day[i] : static_cast<int32_t>(local_date[r])})};
        });
        break;
      case Dim::kWeek:
        fill([&](uint32_t, size_t i) { return int64_t{WeekIndex(DayNumber{s->day[i]})}; });
        break;
      case Dim::kWeekOffset:
        fill([&](uint32_t r, size_t i) -> int64_t {
          const int32_t end =
              lk.title_end_day[static_cast<size_t>(lk.TitleOf(static_cast<uint32_t>(content[r])))];
          if (end == Lookups::kNoDay) {
            s->keep[i] = 0;
            return 0;
          }
          return FloorDiv(s->day[i] - end, kDaysPerWeek);
        });
        break;
      case Dim::kTitle:
        fill([&](uint32_t r, size_t) { return int64_t{lk.TitleOf(static_cast<uint32_t>(content[r]))}; });
        break;
      case Dim::kContent:
        fill([&](uint32_t r, size_t) { return content[r]; });
        break;
      case Dim::kGenre:
        fill([&](uint32_t, size_t i) { return s->genre[i]; });
        break;
      case Dim::kCountry:
        fill([&](uint32_t r, size_t) { return country[r]; });
        break;
      case Dim::kDeviceType:
        fill([&](uint32_t r, size_t) { return device[r]; });
        break;
      case Dim::kPlatform: {
        const int64_t* c = col_of(kPPlatform);
        fill([&](uint32_t r, size_t) { return c[r]; });
        break;
      }
      case Dim::kContentType:
        fill([&](uint32_t r, size_t) -> int64_t {
          const auto k = static_cast<size_t>(content[r]);
          return k < lk.type_of_content.size() ? static_cast<int64_t>(lk.type_of_content[k]) : 0;
        });
        break;
      case Dim::kQuality: {
        const int64_t* c = col_of(kPQuality);
        fill([&](uint32_t r, size_t) { return c[r]; });
        break;
      }
      case Dim::kSubscription:
        fill([&](uint32_t r, size_t) -> int64_t {
          const auto u = static_cast<size_t>(user[r]);
          return u < lk.subscription_of_user.size() ? lk.subscription_of_user[u] : -1;
        });
        break;
      case Dim::kAgeBand:
        fill([&](uint32_t r, size_t) -> int64_t {
          const auto u = static_cast<size_t>(user[r]);
          return u < lk.age_band_of_user.size() ? lk.age_band_of_user[u] : 0;
        });
        break;
      case Dim::kUser:
        fill([&](uint32_t r, size_t) { return user[r]; });
        break;
      case Dim::kPositionBucket:
        fill([&](uint32_t r, size_t i) -> int64_t {
          if (!HasLength(length[r])) {
            s->keep[i] = 0;
            return 0;
          }
          return std::min<int64_t>(kBucketsPerLength,
                                   std::max<int64_t>(0, maxpos[r]) * kBucketsPerLength / length[r]);
        });
        break;
      case Dim::kStatus: {
        const int64_t* c = col_of(kPStatus);
        fill([&](uint32_t r, size_t) { return c[r]; });
        break;
      }
      case Dim::kBucket:
        fill([&](uint32_t, size_t i) { return s->genre[i]; });
        break;
    }
    const DimRange& rg = p.ranges[d];
    const uint64_t stride = p.strides[d];
    for (size_t i = 0; i < n; ++i) {
      const auto off = static_cast<uint64_t>(codes[i] - rg.lo);
      if (off >= rg.card) {
        s->keep[i] = 0;  // outside the key's range (e.g. a key newer than the registry read)
        continue;
      }
      s->comp[i] += off * stride;
    }
  }
  // Drop rows without a value for some key.
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!s->keep[i]) continue;
    s->sel[m] = s->sel[i];
    s->day[m] = s->day[i];
    s->comp[m] = s->comp[i];
    if (p.multi_dim >= 0) s->genre[m] = s->genre[i];
    ++m;
  }
  s->sel.resize(m);
  s->day.resize(m);
  s->comp.resize(m);
  if (p.multi_dim >= 0) s->genre.resize(m);

  // 4. Group numbers.
  s->gid.resize(m);
  if (p.dense) {
    for (size_t i = 0; i < m; ++i) s->gid[i] = static_cast<uint32_t>(s->comp[i]);
  } else {
    for (size_t i = 0; i < m; ++i) {
      const uint32_t* g = s->index.Find(s->comp[i]);
      if (g == nullptr) {
        const auto fresh = static_cast<uint32_t>(s->composites.size());
        s->index.Put(s->comp[i], fresh);
        s->composites.push_back(s->comp[i]);
        s->gid[i] = fresh;
      } else {
        s->gid[i] = *g;
      }
    }
    s->rows.resize(s->composites.size(), 0);
    for (auto& a : s->aggs) a->Resize(s->composites.size());
  }
  for (size_t i = 0; i < m; ++i) ++s->rows[s->gid[i]];

  // 5. Measures.
  for (size_t a = 0; a < p.step->measures.size(); ++a) {
    const Measure& meas = p.step->measures[a];
    s->inputs.resize(std::max(s->inputs.size(), meas.inputs.size()));
    s->valid.assign(m, 1);
    s->spare.assign(m, 1);
    std::vector<std::span<const double>> args;
    for (size_t k = 0; k < meas.inputs.size(); ++k) {
      std::vector<double>& v = s->inputs[k];
      v.resize(m);
      InputColumn(meas.inputs[k], p, cols, m, s->sel.data(), s->day.data(), s->genre.data(), v.data(),
                  k == 0 ? s->valid.data() : s->spare.data());
      args.emplace_back(v.data(), m);
    }
    s->aggs[a]->Add(std::span<const uint32_t>(s->gid.data(), m), args, s->valid);
  }
  return Status::Ok();
}

// `ordered`: the rows must come out in key order (no later step reorders them).
Result<Frame> RunScan(const ScanStep& step, const QueryEnv& env, bool ordered) {
  ScanPlan plan;
  WS_RETURN_IF_ERROR(PlanScan(step, env, &plan));
  // The blocks to scan.
  struct Work {
    std::shared_ptr<const store::PartitionReader> reader;
    size_t block;
  };
  std::vector<Work> work;
  for (int32_t day : plan.partitions) {
    WS_ASSIGN_OR_RETURN(std::shared_ptr<const store::PartitionReader> reader,
                        env.snapshot->Partition(kSessionsTable, day));
    for (size_t b = 0; b < reader->block_count(); ++b) work.push_back({reader, b});
  }
  const size_t threads =
      std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max(env.threads, 1)), work.size()));
  std::vector<ScanState> states(threads);
  for (ScanState& s : states) InitState(plan, &s);
  std::atomic<size_t> next{0};
  auto run = [&](ScanState* s) {
    for (size_t i = next++; i < work.size(); i = next++) {
      Status st = ScanBlock(plan, *work[i].reader, work[i].block, s);
      if (!st.ok()) {
        s->status = st;
        return;
      }
    }
  };
  {
    std::vector<std::jthread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(run, &states[t]);
    run(&states[0]);
  }
  for (const ScanState& s : states) WS_RETURN_IF_ERROR(s.status);

  // Merge into the first state.
  ScanState& into = states[0];
  for (size_t t = 1; t < threads; ++t) {
    ScanState& from = states[t];
    std::vector<uint32_t> map(from.rows.size());
    if (plan.dense) {
      for (size_t g = 0; g < map.size(); ++g) map[g] = static_cast<uint32_t>(g);
    } else {
      for (size_t g = 0; g < from.composites.size(); ++g) {
        const uint32_t* mine = into.index.Find(from.composites[g]);
        if (mine == nullptr) {
          const auto fresh = static_cast<uint32_t>(into.composites.size());
          into.index.Put(from.composites[g], fresh);
          into.composites.push_back(from.composites[g]);
          map[g] = fresh;
        } else {
          map[g] = *mine;
        }
      }
      into.rows.resize(into.composites.size(), 0);
      for (auto& a : into.aggs) a->Resize(into.composites.size());
    }
    for (size_t g = 0; g < map.size(); ++g) into.rows[map[g]] += from.rows[g];
    for (size_t a = 0; a < into.aggs.size(); ++a) into.aggs[a]->Merge(*from.aggs[a], map);
  }

  // The groups to output, by composite key.
  std::vector<std::pair<uint64_t, uint32_t>> groups;
  const bool all = step.dense && step.keys.size() == 1;
  if (plan.dense) {
    for (uint64_t g = 0; g < plan.key_space; ++g) {
      if (all || into.rows[g] > 0 || step.keys.empty()) groups.emplace_back(g, static_cast<uint32_t>(g));
    }
  } else {
    for (size_t g = 0; g < into.composites.size(); ++g)
      groups.emplace_back(into.composites[g], static_cast<uint32_t>(g));
    if (ordered) std::sort(groups.begin(), groups.end());
  }
  Frame out;
  out.rows = groups.size();
  std::vector<uint32_t> order;
  for (const auto& [c, g] : groups) order.push_back(g);
  for (size_t d = 0; d < step.keys.size(); ++d) {
    FrameColumn& col = out.Add(DimName(step.keys[d]), ColKind::kKey, step.keys[d]);
    for (const auto& [c, g] : groups) {
      const int64_t code =
          plan.ranges[d].lo + static_cast<int64_t>((c / plan.strides[d]) % plan.ranges[d].card);
      col.keys.push_back(step.keys[d] == Dim::kBucket ? code * step.bucket_ms : code);
    }
  }
  for (size_t a = 0; a < step.measures.size(); ++a) {
    into.aggs[a]->Output(step.measures[a].name, ColKind::kInt, order, &out);
  }
  // Sums of integer inputs print as integers, other sums as decimals.
  for (size_t a = 0; a < step.measures.size(); ++a) {
    const Measure& m = step.measures[a];
    if (m.fn == AggFn::kSum && !m.inputs.empty() && m.inputs[0] == Input::kCompletionPct) {
      out.Find(m.name)->kind = ColKind::kDouble;
    }
  }
  return out;
}

// --------------------------------------------------------------------------
// Frame steps

struct Vec {
  std::vector<double> v;
  std::vector<uint8_t> ok;
};

Result<Vec> Eval(const Expr& e, const Frame& f, const QueryEnv& env) {
  Vec out;
  out.v.assign(f.rows, 0);
  out.ok.assign(f.rows, 1);
  using Op = Expr::Op;
  if (e.op == Op::kLit || e.op == Op::kFromDay) {
    std::fill(out.v.begin(), out.v.end(), e.op == Op::kLit ? e.lit : static_cast<double>(env.from.v));
    return out;
  }
  if (e.op == Op::kCol) {
    const FrameColumn* c = f.Find(e.col);
    if (c == nullptr) return Status::InvalidArgument(fmt::format("report definition: no column '{}'", e.col));
    for (size_t r = 0; r < f.rows; ++r) out.ok[r] = c->Get(r, &out.v[r]);
    return out;
  }
  std::vector<Vec> a;
  for (const Expr& x : e.args) {
    WS_ASSIGN_OR_RETURN(Vec v, Eval(x, f, env));
    a.push_back(std::move(v));
  }
  if (e.op == Op::kNot) {
    for (size_t r = 0; r < f.rows; ++r) {
      out.ok[r] = a[0].ok[r];
      out.v[r] = a[0].v[r] == 0 ? 1 : 0;
    }
    return out;
  }
  if (a.size() != 2)
    return Status::InvalidArgument("report definition: a binary operator needs two arguments");
  for (size_t r = 0; r < f.rows; ++r) {
    const double x = a[0].v[r], y = a[1].v[r];
    const bool okx = a[0].ok[r], oky = a[1].ok[r];
    if (e.op == Op::kIfNull) {
      out.ok[r] = okx || oky;
      out.v[r] = okx ? x : y;
      continue;
    }
    if (!okx || !oky) {
      out.ok[r] = 0;
      continue;
    }
    double v = 0;
    bool ok = true;
    switch (e.op) {
      case Op::kAdd:
        v = x + y;
        break;
      case Op::kSub:
        v = x - y;
        break;
      case Op::kMul:
        v = x * y;
        break;
      case Op::kDiv:
        ok = y != 0;
        v = ok ? x / y : 0;
        break;
      case Op::kPct:
        ok = y != 0;
        v = ok ? 100.0 * x / y : 0;
        break;
      case Op::kFloorDiv:
        ok = y != 0;
        v = ok ? std::floor(x / y) : 0;
        break;
      case Op::kGe:
        v = x >= y;
        break;
      case Op::kGt:
        v = x > y;
        break;
      case Op::kLe:
        v = x <= y;
        break;
      case Op::kLt:
        v = x < y;
        break;
      case Op::kEq:
        v = x == y;
        break;
      case Op::kAnd:
        v = (x != 0) && (y != 0);
        break;
      case Op::kOr:
        v = (x != 0) || (y != 0);
        break;
      default:
        break;
    }
    out.ok[r] = ok;
    out.v[r] = v;
  }
  return out;
}

// Rows grouped by the codes of key columns `keys`: group of each row, and
// the first row of each group.
Status GroupRows(const Frame& f, const std::vector<std::string>& keys, std::vector<uint32_t>* group,
                 std::vector<uint32_t>* first) {
  std::vector<const FrameColumn*> cols;
  for (const std::string& k : keys) {
    const FrameColumn* c = f.Find(k);
    if (c == nullptr || c->kind != ColKind::kKey) {
      return Status::InvalidArgument(fmt::format("report definition: no key column '{}'", k));
    }
    cols.push_back(c);
  }
  group->assign(f.rows, 0);
  first->clear();
  // Fast path: the key codes fit one 64-bit composite (mixed radix over
  // their ranges), looked up in an open-addressing map.
  unsigned __int128 space = 1;
  std::vector<int64_t> lo(cols.size(), 0);
  std::vector<uint64_t> card(cols.size(), 1);
  for (size_t k = 0; k < cols.size(); ++k) {
    if (f.rows == 0) break;
    const auto [mn, mx] = std::minmax_element(cols[k]->keys.begin(), cols[k]->keys.end());
    lo[k] = *mn;
    card[k] = static_cast<uint64_t>(*mx - *mn) + 1;
    space *= card[k];
  }
  if (space < (static_cast<unsigned __int128>(1) << 62)) {
    U64Map<uint32_t> ids;
    for (size_t r = 0; r < f.rows; ++r) {
      uint64_t key = 0;
      for (size_t k = 0; k < cols.size(); ++k)
        key = key * card[k] + static_cast<uint64_t>(cols[k]->keys[r] - lo[k]);
      const uint32_t* g = ids.Find(key);
      if (g == nullptr) {
        const auto fresh = static_cast<uint32_t>(first->size());
        ids.Put(key, fresh);
        first->push_back(static_cast<uint32_t>(r));
        (*group)[r] = fresh;
      } else {
        (*group)[r] = *g;
      }
    }
    return Status::Ok();
  }
  std::unordered_map<std::string, uint32_t> ids;
  std::string key;
  for (size_t r = 0; r < f.rows; ++r) {
    key.clear();
    for (const FrameColumn* c : cols) key.append(reinterpret_cast<const char*>(&c->keys[r]), sizeof(int64_t));
    auto [it, fresh] = ids.try_emplace(key, static_cast<uint32_t>(first->size()));
    if (fresh) first->push_back(static_cast<uint32_t>(r));
    (*group)[r] = it->second;
  }
  return Status::Ok();
}

Result<Frame> Aggregate(const AggregateStep& step, const Frame& f, const QueryEnv& env) {
  std::vector<uint32_t> group, first;
  WS_RETURN_IF_ERROR(GroupRows(f, step.keys, &group, &first));
  if (step.keys.empty() && first.empty()) first.push_back(0);  // totals of nothing: one row
  // Output groups in key order.
  std::vector<uint32_t> order(first.size());
  for (size_t g = 0; g < order.size(); ++g) order[g] = static_cast<uint32_t>(g);
  std::vector<const FrameColumn*> keycols;
  for (const std::string& k : step.keys) keycols.push_back(f.Find(k));
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    for (const FrameColumn* c : keycols) {
      if (c->keys[first[a]] != c->keys[first[b]]) return c->keys[first[a]] < c->keys[first[b]];
    }
    return false;
  });
  Frame out;
  out.rows = first.size();
  for (const FrameColumn* c : keycols) {
    FrameColumn& k = out.Add(c->name, ColKind::kKey, c->dim);
    for (uint32_t g : order) k.keys.push_back(c->keys[first[g]]);
  }
  for (const AggregateStep::FrameMeasure& m : step.measures) {
    auto agg = MakeAggregate(m.fn);
    agg->Resize(first.size());
    std::vector<std::span<const double>> args;
    Vec v;
    if (agg->arity() > 0) {
      WS_ASSIGN_OR_RETURN(v, Eval(m.arg, f, env));
      for (size_t k = 0; k < agg->arity(); ++k) args.emplace_back(v.v.data(), f.rows);
    } else {
      v.ok.assign(f.rows, 1);
    }
    agg->Add(group, args, v.ok);
    agg->Output(m.name, m.kind, order, &out);
  }
  return out;
}

Status Derive(const DeriveStep& step, const QueryEnv& env, Frame* f) {
  WS_ASSIGN_OR_RETURN(Vec v, Eval(step.expr, *f, env));
  FrameColumn& c = f->Add(step.name, step.kind);
  c.nums = std::move(v.v);
  c.valid = std::move(v.ok);
  return Status::Ok();
}

Status Window(const WindowStep& step, Frame* f) {
  std::vector<uint32_t> group, first;
  WS_RETURN_IF_ERROR(GroupRows(*f, step.partition, &group, &first));
  const FrameColumn* arg = f->Find(step.arg);
  if (arg == nullptr)
    return Status::InvalidArgument(fmt::format("report definition: no column '{}'", step.arg));
  if (step.fn == WindowStep::Fn::kSum) {  // one pass, no member lists
    std::vector<double> sums(first.size(), 0);
    double v = 0;
    for (size_t r = 0; r < f->rows; ++r) sums[group[r]] += arg->Get(r, &v) ? v : 0;
    FrameColumn& c = f->Add(step.name, step.kind);
    c.nums.resize(f->rows);
    c.valid.assign(f->rows, 1);
    for (size_t r = 0; r < f->rows; ++r) c.nums[r] = sums[group[r]];
    return Status::Ok();
  }
  std::vector<std::vector<uint32_t>> members(first.size());
  for (size_t r = 0; r < f->rows; ++r) members[group[r]].push_back(static_cast<uint32_t>(r));
  const FrameColumn* ord = step.order.empty() ? nullptr : f->Find(step.order);
  if (!step.order.empty() && ord == nullptr) {
    return Status::InvalidArgument(fmt::format("report definition: no column '{}'", step.order));
  }
  std::vector<double> out(f->rows, 0);
  std::vector<uint8_t> ok(f->rows, 1);
  auto value = [&](uint32_t r, double* v) { return arg->Get(r, v); };
  for (const std::vector<uint32_t>& rows : members) {
    switch (step.fn) {
      case WindowStep::Fn::kSum: {
        double sum = 0, v;
        for (uint32_t r : rows) sum += value(r, &v) ? v : 0;
        for (uint32_t r : rows) out[r] = sum;
        break;
      }
      case WindowStep::Fn::kRank: {
        std::vector<std::pair<double, uint32_t>> vals;
        for (uint32_t r : rows) {
          double v;
          if (value(r, &v))
            vals.emplace_back(v, r);
          else
            ok[r] = 0;
        }
        std::sort(vals.begin(), vals.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        for (size_t i = 0; i < vals.size(); ++i) {
          out[vals[i].second] = (i > 0 && vals[i].first == vals[i - 1].first) ? out[vals[i - 1].second]
                                                                              : static_cast<double>(i + 1);
        }
        break;
      }
      case WindowStep::Fn::kSuffixSum: {
        if (ord == nullptr)
          return Status::InvalidArgument("report definition: kSuffixSum needs an order column");
        for (uint32_t r : rows) {
          double sum = 0, v, o, o2;
          ord->Get(r, &o);
          for (uint32_t q : rows) {
            ord->Get(q, &o2);
            if (o2 >= o && value(q, &v)) sum += v;
          }
          out[r] = sum;
        }
        break;
      }
      case WindowStep::Fn::kQuantile: {
        std::vector<double> vals;
        double v;
        for (uint32_t r : rows) {
          if (value(r, &v)) vals.push_back(v);
        }
        std::sort(vals.begin(), vals.end());
        double q = 0;
        bool have = !vals.empty();
        if (have) {
          const double pos = step.param * static_cast<double>(vals.size() - 1);
          const auto lo = static_cast<size_t>(std::floor(pos));
          const size_t hi = std::min(vals.size() - 1, lo + 1);
          q = vals[lo] + (vals[hi] - vals[lo]) * (pos - static_cast<double>(lo));
        }
        for (uint32_t r : rows) {
          out[r] = q;
          ok[r] = have;
        }
        break;
      }
      case WindowStep::Fn::kRollingUnion: {
        if (arg->kind != ColKind::kSet || ord == nullptr) {
          return Status::InvalidArgument("report definition: kRollingUnion needs a set column and an order");
        }
        for (uint32_t r : rows) {
          double o, o2;
          ord->Get(r, &o);
          Roaring u;
          for (uint32_t q : rows) {
            ord->Get(q, &o2);
            if (o2 <= o && o2 > o - step.param) u |= arg->sets[q];
          }
          out[r] = static_cast<double>(u.cardinality());
        }
        break;
      }
    }
  }
  FrameColumn& c = f->Add(step.name, step.kind);
  c.nums = std::move(out);
  c.valid = std::move(ok);
  return Status::Ok();
}

Status Filter(const FilterStep& step, const QueryEnv& env, Frame* f) {
  WS_ASSIGN_OR_RETURN(Vec v, Eval(step.pred, *f, env));
  std::vector<uint32_t> keep;
  for (size_t r = 0; r < f->rows; ++r) {
    if (v.ok[r] && v.v[r] != 0) keep.push_back(static_cast<uint32_t>(r));
  }
  *f = f->Take(keep);
  return Status::Ok();
}

Status Join(const JoinStep& step, const Frame& other, Frame* f) {
  std::vector<int64_t> match(f->rows, -1);
  if (step.on.empty()) {
    if (other.rows > 0) std::fill(match.begin(), match.end(), 0);
  } else {
    std::vector<const FrameColumn*> mine, theirs;
    for (const std::string& k : step.on) {
      mine.push_back(f->Find(k));
      theirs.push_back(other.Find(k));
      if (mine.back() == nullptr || theirs.back() == nullptr) {
        return Status::InvalidArgument(fmt::format("report definition: join on missing column '{}'", k));
      }
    }
    std::unordered_map<std::string, uint32_t> index;
    std::string key;
    for (size_t r = 0; r < other.rows; ++r) {
      key.clear();
      for (const FrameColumn* c : theirs)
        key.append(reinterpret_cast<const char*>(&c->keys[r]), sizeof(int64_t));
      index.emplace(key, static_cast<uint32_t>(r));
    }
    for (size_t r = 0; r < f->rows; ++r) {
      key.clear();
      for (const FrameColumn* c : mine)
        key.append(reinterpret_cast<const char*>(&c->keys[r]), sizeof(int64_t));
      auto it = index.find(key);
      if (it != index.end()) match[r] = it->second;
    }
  }
  for (const auto& [theirs, name] : step.columns) {
    const FrameColumn* src = other.Find(theirs);
    if (src == nullptr)
      return Status::InvalidArgument(fmt::format("report definition: no column '{}'", theirs));
    if (src->kind == ColKind::kKey) {
      FrameColumn& c = f->Add(name, ColKind::kKey, src->dim);
      c.keys.assign(f->rows, kNullKey);
      for (size_t r = 0; r < f->rows; ++r) {
        if (match[r] >= 0) c.keys[r] = src->keys[static_cast<size_t>(match[r])];
      }
      continue;
    }
    FrameColumn& c = f->Add(name, src->kind);
    c.nums.assign(f->rows, 0);
    c.valid.assign(f->rows, 0);
    for (size_t r = 0; r < f->rows; ++r) {
      if (match[r] >= 0) c.valid[r] = src->Get(static_cast<size_t>(match[r]), &c.nums[r]);
    }
  }
  return Status::Ok();
}

// Dimensions whose codes are in the order users expect (days, hours,
// dayparts morning to night); the others order by their rendered text.
bool NaturalOrder(Dim d) {
  switch (d) {
    case Dim::kDate:
    case Dim::kHour:
    case Dim::kDaypart:
    case Dim::kWeekday:
    case Dim::kWeek:
    case Dim::kWeekOffset:
    case Dim::kPositionBucket:
    case Dim::kStatus:
    case Dim::kContentType:
    case Dim::kAgeBand:
    case Dim::kBucket:
      return true;
    default:
      return false;
  }
}

// Orders by the sort keys, then by every key column: in code order for the
// dimensions with a natural order, else by rendered value.
Status Sort(const SortStep& step, const QueryEnv& env, Frame* f) {
  std::vector<const FrameColumn*> cols;
  for (const SortStep::Key& k : step.keys) {
    cols.push_back(f->Find(k.col));
    if (cols.back() == nullptr)
      return Status::InvalidArgument(fmt::format("report definition: no column '{}'", k.col));
  }
  std::vector<std::vector<KeyValue>> rendered;
  std::vector<const FrameColumn*> keycols;
  for (const FrameColumn& c : f->cols) {
    if (c.kind != ColKind::kKey) continue;
    keycols.push_back(&c);
    std::vector<KeyValue> v;
    for (size_t r = 0; r < f->rows; ++r) v.push_back(RenderKey(c.dim, c.keys[r], false, env));
    rendered.push_back(std::move(v));
  }
  std::vector<uint32_t> order(f->rows);
  for (size_t r = 0; r < f->rows; ++r) order[r] = static_cast<uint32_t>(r);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    for (size_t i = 0; i < cols.size(); ++i) {
      double x = 0, y = 0;
      const bool ox = cols[i]->Get(a, &x), oy = cols[i]->Get(b, &y);
      if (ox != oy) return ox;  // nulls last
      if (x != y) return step.keys[i].desc ? x > y : x < y;
    }
    for (size_t i = 0; i < rendered.size(); ++i) {
      if (NaturalOrder(keycols[i]->dim)) {
        if (keycols[i]->keys[a] != keycols[i]->keys[b]) return keycols[i]->keys[a] < keycols[i]->keys[b];
        continue;
      }
      const KeyValue &x = rendered[i][a], &y = rendered[i][b];
      if (x.is_null != y.is_null) return y.is_null;
      if (x.is_number && y.is_number && x.number != y.number) return x.number < y.number;
      if (x.text != y.text) return x.text < y.text;
    }
    return false;
  });
  *f = f->Take(order);
  return Status::Ok();
}

}  // namespace

int32_t IsoWeekday(DayNumber d) {
  // 1970-01-01 was a Thursday (ISO 4).
  return static_cast<int32_t>(((int64_t{d.v} % kDaysPerWeek) + kDaysPerWeek + 3) % kDaysPerWeek) + 1;
}

int32_t WeekIndex(DayNumber d) {
  // ISO weeks start on Monday; the epoch's week began on Monday 1969-12-29 (day -3).
  return static_cast<int32_t>(FloorDiv(int64_t{d.v} + 3, kDaysPerWeek));
}

int32_t DaypartOf(int32_t hour) {
  // SPEC 3.4: morning 05-12, afternoon 12-17, evening 17-22, night 22-05.
  constexpr int32_t kMorning = 5, kAfternoon = 12, kEvening = 17, kNight = 22;
  if (hour >= kMorning && hour < kAfternoon) return 0;
  if (hour >= kAfternoon && hour < kEvening) return 1;
  if (hour >= kEvening && hour < kNight) return 2;
  return 3;
}

KeyValue RenderKey(Dim dim, int64_t code, bool name, const QueryEnv& env) {
  KeyValue v;
  if (code == kNullKey) {
    v.is_null = true;
    return v;
  }
  const Lookups& lk = *env.lookups;
  auto number = [&](int64_t x) {
    v.is_number = true;
    v.number = x;
    return v;
  };
  auto text = [&](std::string_view s) {
    if (s.empty()) v.is_null = true;
    v.text = std::string(s);
    return v;
  };
  static constexpr const char* kDayparts[] = {"morning", "afternoon", "evening", "night"};
  switch (dim) {
    case Dim::kDate:
      return text(FormatDate(DayNumber{static_cast<int32_t>(code)}));
    case Dim::kHour:
    case Dim::kWeekday:
    case Dim::kWeekOffset:
      return number(code);
    case Dim::kWeek:
      // The Monday the week starts on.
      return text(FormatDate(DayNumber{static_cast<int32_t>(code * kDaysPerWeek - 3)}));
    case Dim::kPositionBucket:
      return number(code * (100 / kBucketsPerLength));
    case Dim::kDaypart:
      return text(kDayparts[std::clamp<int64_t>(code, 0, 3)]);
    case Dim::kTitle: {
      const auto t = static_cast<size_t>(code);
      if (t >= lk.title_id.size()) return text("");
      return text(name ? lk.title_name[t] : lk.title_id[t]);
    }
    case Dim::kContent:
      return text(env.keys->content->Name(static_cast<uint32_t>(code)));
    case Dim::kUser:
      return text(env.keys->user->Name(static_cast<uint32_t>(code)));
    case Dim::kGenre:
      return text(
          static_cast<size_t>(code) < lk.genre_names.size() ? lk.genre_names[static_cast<size_t>(code)] : "");
    case Dim::kCountry:
      return text(env.keys->country->Name(static_cast<uint32_t>(code)));
    case Dim::kDeviceType:
      return text(code == 0 ? "" : DeviceTypeName(static_cast<DeviceType>(code)));
    case Dim::kPlatform:
      return text(env.keys->platform->Name(static_cast<uint32_t>(code)));
    case Dim::kContentType:
      return text(code == 1 ? "movie" : code == 2 ? "episode" : "");
    case Dim::kQuality:
      return text(env.keys->quality->Name(static_cast<uint32_t>(code)));
    case Dim::kSubscription:
      return text(code >= 0 && static_cast<size_t>(code) < lk.subscription_names.size()
                      ? lk.subscription_names[static_cast<size_t>(code)]
                      : "");
    case Dim::kAgeBand: {
      const char* n = AgeBandName(static_cast<int>(code));
      return text(n ? n : "");
    }
    case Dim::kStatus:
      return text(SessionStatusName(static_cast<SessionStatus>(code)));
    case Dim::kBucket:
      return text(FormatRfc3339(EpochMillis{code}));
  }
  return text("");
}

Result<std::map<std::string, Frame>> RunReportDef(const ReportDef& def, const QueryEnv& env) {
  std::map<std::string, Frame> results;
  QueryEnv previous = env;
  const int32_t len = env.to.v - env.from.v + 1;
  previous.from = DayNumber{env.from.v - len};
  previous.to = DayNumber{env.to.v - len};
  auto reorders = [](const Pipeline& pl) {
    for (const Step& step : pl.steps) {
      if (std::holds_alternative<AggregateStep>(step) || std::holds_alternative<SortStep>(step)) return true;
    }
    return false;
  };
  for (size_t pi = 0; pi < def.pipelines.size(); ++pi) {
    const Pipeline& pl = def.pipelines[pi];
    const QueryEnv& e = pl.period == Period::kPrevious ? previous : env;
    Frame f;
    // A scan's rows need key order when they reach the output unsorted: in
    // the last pipeline, or in one a later pipeline starts from, when no
    // step on the way regroups or sorts them. (Joins do not need order.)
    bool reordered = reorders(pl);
    if (!reordered && pi + 1 < def.pipelines.size()) {
      bool feeds_output = false;
      for (size_t later = pi + 1; later < def.pipelines.size(); ++later) {
        const Pipeline& next = def.pipelines[later];
        const auto* from = next.steps.empty() ? nullptr : std::get_if<FromStep>(&next.steps.front());
        if (from != nullptr && from->pipeline == pl.name && !reorders(next)) feeds_output = true;
      }
      reordered = !feeds_output;
    }
    for (const Step& step : pl.steps) {
      Status st = Status::Ok();
      if (const auto* s = std::get_if<ScanStep>(&step)) {
        WS_ASSIGN_OR_RETURN(f, RunScan(*s, e, !reordered));
      } else if (const auto* s = std::get_if<FromStep>(&step)) {
        auto it = results.find(s->pipeline);
        if (it == results.end())
          return Status::InvalidArgument("report definition: no pipeline " + s->pipeline);
        f = it->second;
      } else if (const auto* s = std::get_if<AggregateStep>(&step)) {
        WS_ASSIGN_OR_RETURN(f, Aggregate(*s, f, e));
      } else if (const auto* s = std::get_if<DeriveStep>(&step)) {
        st = Derive(*s, e, &f);
      } else if (const auto* s = std::get_if<WindowStep>(&step)) {
        st = Window(*s, &f);
      } else if (const auto* s = std::get_if<FilterStep>(&step)) {
        st = Filter(*s, e, &f);
      } else if (const auto* s = std::get_if<JoinStep>(&step)) {
        auto it = results.find(s->pipeline);
        if (it == results.end())
          return Status::InvalidArgument("report definition: no pipeline " + s->pipeline);
        st = Join(*s, it->second, &f);
      } else if (const auto* s = std::get_if<SortStep>(&step)) {
        st = Sort(*s, e, &f);
      } else if (const auto* s = std::get_if<LimitStep>(&step)) {
        if (static_cast<int64_t>(f.rows) > s->n) {
          std::vector<uint32_t> keep(static_cast<size_t>(s->n));
          for (size_t r = 0; r < keep.size(); ++r) keep[r] = static_cast<uint32_t>(r);
          f = f.Take(keep);
        }
      }
      WS_RETURN_IF_ERROR(st);
    }
    results[pl.name] = std::move(f);
  }
  return results;
}

}  // namespace ws::query
