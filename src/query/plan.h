// The query language reports are written in (docs/reports.md, "How a report
// is defined").
//
// A report is data: a list of pipelines, each a list of steps over a frame
// (a small columnar table), and the columns it outputs. The first step of a
// pipeline is a scan of the sessions (group keys, filters, measures built
// from the shared aggregate functions of query/aggregates.h) or the result
// of an earlier pipeline; the steps after it are relational: aggregate,
// derive, window, filter, join, sort, limit. The engine (query/engine.h)
// runs every definition; nothing here knows how a report is computed, so the
// same definitions can be compiled to SQL for ClickHouse.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ws::query {

// What a scan can group sessions by (SPEC 3.4 and 4). Each has a dense
// integer code per session; the engine renders codes as the values users see.
enum class Dim : uint8_t {
  kDate,            // UTC date of start (or, with tz=ZONE, the date on that zone)
  kHour,            // local start hour 0..23 (the viewer's zone, or tz=ZONE)
  kDaypart,         // 0 morning 05-12, 1 afternoon 12-17, 2 evening 17-22, 3 night 22-05
  kWeekday,         // ISO weekday of the local date, 1 = Monday
  kWeek,            // ISO week (index since the epoch) of the report date
  kWeekOffset,      // weeks from the title's production end date (negative: before)
  kTitle,           // the movie, or the episode's series (no catalog row: the item itself)
  kContent,         // the playable item
  kGenre,           // a genre of the title, as of the session's start (multi-valued)
  kCountry,         // where the viewing happened (SPEC 2.5)
  kDeviceType,      // vocab DeviceType
  kPlatform,        // platform string
  kContentType,     // movie or episode
  kQuality,         // max playback quality label
  kSubscription,    // the user's subscription_type
  kAgeBand,         // the user's age band (under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+)
  kUser,            // the viewer
  kPositionBucket,  // max position in 5 % steps of length, 0..20 (sessions with a length)
  kStatus,          // completion status
  kBucket,          // concurrency: each interval of ScanStep::bucket_ms the session is open in
                    // (multi-valued); codes are the bucket's first instant, epoch ms (UTC)
};
const char* DimName(Dim d);

// Per-session values a scan feeds to aggregate functions.
enum class Input : uint8_t {
  kWatchMs,        // watch_time_seconds, in ms
  kDurationMs,     // session_duration_seconds, in ms
  kCompletionPct,  // completion_percentage (null when the length is unknown)
  kCompleted,      // 1 when completion_status = completed
  kUserKey,        // the viewer's key
  kContentKey,     // the playable item's key
  kTitleCode,      // the title's code (Dim::kTitle)
  kWeek,           // Dim::kWeek's code
  kDate,           // Dim::kDate's code (day number)
  kMultilingual,   // 1 when the viewer's profile has >= 2 languages
  kStartMs,        // start, epoch ms
  kEndMs,          // end, epoch ms
  kTitleItems,     // playable items of the session's title (1 for a movie)
  kBucketStartMs,  // with Dim::kBucket: the session's start clipped to the bucket
  kBucketEndMs,    // with Dim::kBucket: the session's end clipped to the bucket
};

// The shared aggregate functions (query/aggregates.h).
enum class AggFn : uint8_t {
  kCount,    // rows
  kCountIf,  // rows whose first input is non-zero
  kSum,      // sum of the first input
  kAvg,      // mean of the first input's non-null values (null when none)
  kMin,
  kMax,
  kDistinct,     // exact count of distinct first inputs (integer keys)
  kDistinctIf,   // distinct first inputs among rows whose second input is non-zero
  kDistinctSet,  // the set itself, for a later rolling union (window kRollingUnion)
  kMedian,       // exact median of the first input
  kSittings,     // inputs start, end, item: a user's sittings (SPEC 4 binge); outputs
                 // NAME_sittings, NAME_binges (>= 3 distinct items), NAME_items (distinct
                 // items summed over sittings)
  kPeakOverlap,  // inputs start, end (closed intervals, spanning < 2^32 ms per group): NAME_peak (most open
                 // at one instant), NAME_peak_at (its first instant), NAME_open_ms (summed length)
};

struct Measure {
  std::string name;
  AggFn fn = AggFn::kCount;
  std::vector<Input> inputs;  // scan measures
};

// An expression over a frame's columns, evaluated per row to a number or
// null. Arithmetic on a null is null; a division by zero is null.
struct Expr {
  enum class Op : uint8_t {
    kCol,
    kLit,
    kAdd,
    kSub,
    kMul,
    kDiv,
    kPct /* 100 * a / b */,
    kGe,
    kGt,
    kLe,
    kLt,
    kEq,
    kAnd,
    kOr,
    kNot,
    kFloorDiv,
    kIfNull /* a, else b */,
    kFromDay /* the first report date of the pipeline's period, as a day number */
  };
  Op op = Op::kLit;
  std::string col;
  double lit = 0;
  std::vector<Expr> args;
};
Expr Col(std::string name);
Expr Lit(double v);
Expr Bin(Expr::Op op, Expr a, Expr b);
inline Expr Div(Expr a, Expr b) { return Bin(Expr::Op::kDiv, std::move(a), std::move(b)); }
inline Expr Pct(Expr a, Expr b) { return Bin(Expr::Op::kPct, std::move(a), std::move(b)); }
inline Expr Ge(Expr a, Expr b) { return Bin(Expr::Op::kGe, std::move(a), std::move(b)); }
inline Expr Lt(Expr a, Expr b) { return Bin(Expr::Op::kLt, std::move(a), std::move(b)); }
inline Expr And(Expr a, Expr b) { return Bin(Expr::Op::kAnd, std::move(a), std::move(b)); }
inline Expr Mul(Expr a, Expr b) { return Bin(Expr::Op::kMul, std::move(a), std::move(b)); }
inline Expr Sub(Expr a, Expr b) { return Bin(Expr::Op::kSub, std::move(a), std::move(b)); }
Expr FromDay();
// Milliseconds as hours.
inline Expr Hours(std::string ms_col) { return Div(Col(std::move(ms_col)), Lit(3'600'000.0)); }

// A per-session filter beyond the common ones (SPEC 4: from, to, country,
// device_type, genre, content_type, title), which the engine always applies.
struct ScanFilter {
  enum class Kind : uint8_t { kUser, kContent, kTitle, kHasLength, kEpisodes, kOpen /* in_progress */ };
  Kind kind = Kind::kUser;
  std::string value;  // natural id (kEpisodes, kHasLength: unused)
};

// The columns of a frame are typed: keys (a Dim's codes), integers and
// decimals (numbers), or sets.
enum class ColKind : uint8_t { kKey, kInt, kDouble, kSet };

struct ScanStep {
  std::vector<Dim> keys;  // none: one row of totals
  std::vector<Measure> measures;
  std::vector<ScanFilter> filters;
  int32_t lookback_days = 0;  // also scan this many days before `from` (trailing windows)
  bool dense = false;         // one key: output every value of its range, even empty
  int64_t bucket_ms = 0;      // Dim::kBucket's interval
};
struct FromStep {
  std::string pipeline;  // an earlier pipeline's result
};
// Group a frame by some of its key columns. Measures read an expression of
// the frame's columns as their input (Measure.inputs unused).
struct AggregateStep {
  std::vector<std::string> keys;
  struct FrameMeasure {
    std::string name;
    AggFn fn = AggFn::kCount;
    Expr arg;
    ColKind kind = ColKind::kDouble;
  };
  std::vector<FrameMeasure> measures;
};
struct DeriveStep {
  std::string name;
  Expr expr;
  ColKind kind = ColKind::kDouble;  // kInt prints without decimals
};
// A function over a group of rows (the partition) written to every row.
struct WindowStep {
  enum class Fn : uint8_t {
    kSum,           // sum of `arg` over the partition
    kRank,          // competition rank of `arg`, descending (SQL RANK() ... DESC)
    kSuffixSum,     // sum of `arg` over the rows whose `order` key >= this row's
    kQuantile,      // `param` quantile of `arg` over the partition (linear interpolation)
    kRollingUnion,  // distinct count of the union of the set column `arg` over the
                    // rows whose `order` key is within `param` - 1 before this row's
  };
  std::string name;
  Fn fn = Fn::kSum;
  std::string arg;
  std::vector<std::string> partition;
  std::string order;
  double param = 0;
  ColKind kind = ColKind::kDouble;
};
struct FilterStep {
  Expr pred;  // rows where it is non-zero (null drops the row)
};
// Left join: every row keeps its place; `columns` of the other frame come
// along (null where no row matches). `on` empty: the other frame has one row,
// broadcast to every row.
struct JoinStep {
  std::string pipeline;
  std::vector<std::string> on;
  std::vector<std::pair<std::string, std::string>> columns;  // (theirs, name here)
};
struct SortStep {
  struct Key {
    std::string col;
    bool desc = true;
  };
  std::vector<Key> keys;  // ties fall to the key columns, ascending, by their rendered value
};
struct LimitStep {
  int64_t n = 0;
};

using Step = std::variant<ScanStep, FromStep, AggregateStep, DeriveStep, WindowStep, FilterStep, JoinStep,
                          SortStep, LimitStep>;

// Which period a pipeline reads: the report's range, or the one of equal
// length before it (compare=previous, reach's change column).
enum class Period : uint8_t { kCurrent, kPrevious };

struct Pipeline {
  std::string name;
  Period period = Period::kCurrent;
  std::vector<Step> steps;
};

// How an output column shows a frame column.
enum class Render : uint8_t {
  kValue,      // numbers as numbers; keys by their natural id (title_id, date, country, ...)
  kName,       // keys: the display name (a title's title)
  kTimestamp,  // numbers: epoch ms as RFC 3339
  kBool,       // numbers: non-zero is true
};

struct OutputColumn {
  std::string name;
  std::string source;  // frame column
  Render render = Render::kValue;
  bool measure = false;  // compared by compare=previous
};

struct ReportDef {
  std::string name;
  std::vector<Pipeline> pipelines;  // run in order; the last one is the report
  std::vector<OutputColumn> output;
  // Extra scalar values of the JSON output (lifecycle's summary): name and
  // the column of the named pipeline's single row.
  struct SummaryValue {
    std::string name;
    std::string pipeline;
    std::string column;
  };
  std::vector<SummaryValue> summary;
  bool comparable = false;  // takes compare=previous
};

}  // namespace ws::query
