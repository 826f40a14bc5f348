#include "query/export.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "event/event_order.h"
#include "event/event_table.h"
#include "util/json_writer.h"

namespace ws {
namespace {

constexpr double kMillis = 1000.0;

Value Seconds(int64_t ms) { return static_cast<double>(ms) / kMillis; }

Status WriteAll(std::FILE* out, const std::string& s) {
  if (std::fwrite(s.data(), 1, s.size(), out) != s.size()) {
    return Status::IOError("cannot write the export to the output");
  }
  return Status::Ok();
}

std::string CsvLine(const std::vector<Value>& row) {
  ResultTable t;
  t.rows.push_back(row);
  t.columns.resize(row.size());
  std::string csv = RenderCsv(t);
  return csv.substr(csv.find('\n') + 1);
}

std::string CsvHeader(const std::vector<std::string>& columns) {
  std::string s;
  for (size_t i = 0; i < columns.size(); ++i) s += (i ? "," : "") + columns[i];
  return s + "\n";
}

bool InRange(DayNumber d, const std::optional<DayNumber>& from, const std::optional<DayNumber>& to) {
  return (!from || d >= *from) && (!to || d <= *to);
}

const std::vector<std::string>& EventColumns() {
  static const std::vector<std::string> kCols = {
      "event_id", "session_id",    "user_id", "content_id", "type",           "ts",
      "position", "from_position", "quality", "autoplay",   "device_id",      "device_type",
      "platform", "app_version",   "country", "tz",         "content_length", "metadata"};
  return kCols;
}

Value Str(std::string_view s) { return s.empty() ? Value(Null{}) : Value(std::string(s)); }

std::string EventLine(const Event& e, OutputFormat format) {
  if (format != OutputFormat::kCsv) return EventToJson(e) + "\n";
  std::vector<Value> row = {
      Str(e.event_id),
      std::string(e.session_id),
      std::string(e.user_id),
      std::string(e.content_id),
      std::string(EventTypeName(e.type)),
      FormatRfc3339(e.ts),
      e.position_ms == kAbsent ? Value(Null{}) : Seconds(e.position_ms),
      e.from_position_ms == kAbsent ? Value(Null{}) : Seconds(e.from_position_ms),
      e.quality_height == 0 ? Value(Null{}) : Value(int64_t{e.quality_height}),
      e.autoplay < 0 ? Value(Null{}) : Value(e.autoplay == 1),
      Str(e.device_id),
      Str(DeviceTypeName(e.device_type)),
      Str(e.platform),
      Str(e.app_version),
      e.has_country() ? Value(std::string(e.country, 2)) : Value(Null{}),
      Str(e.tz),
      e.content_length_ms == kAbsent ? Value(Null{}) : Seconds(e.content_length_ms),
      Str(e.metadata),
  };
  return CsvLine(row);
}

}  // namespace

std::vector<std::string> SessionColumns() {
  return {"session_id",
          "user_id",
          "content_id",
          "date_key",
          "session_start_timestamp",
          "session_end_timestamp",
          "session_duration_seconds",
          "watch_time_seconds",
          "total_pause_duration_seconds",
          "number_of_pauses",
          "number_of_rewinds",
          "number_of_forwards",
          "buffer_count",
          "buffer_duration_seconds",
          "playback_position_seconds",
          "max_position_seconds",
          "total_content_length_seconds",
          "completion_percentage",
          "coverage_seconds",
          "coverage_percentage",
          "watched_credits",
          "max_playback_quality",
          "autoplay_enabled",
          "completion_status",
          "event_count",
          "device_id",
          "device_type",
          "platform",
          "app_version",
          "country",
          "local_start_hour",
          "local_date",
          "origin"};
}

std::vector<Value> SessionRow(const SessionRecord& r) {
  bool len = r.has_length();
  return {r.session_id,
          r.user_id,
          r.content_id,
          FormatDate(r.date_key),
          FormatRfc3339(r.start),
          FormatRfc3339(r.end),
          Seconds(r.duration_ms()),
          Seconds(r.watch_ms),
          Seconds(r.pause_ms),
          int64_t{r.pauses},
          int64_t{r.rewinds},
          int64_t{r.forwards},
          int64_t{r.buffers},
          Seconds(r.buffer_ms),
          Seconds(r.playback_position_ms),
          Seconds(r.max_position_ms),
          len ? Seconds(r.content_length_ms) : Value(Null{}),
          len ? Value(r.completion_percentage()) : Value(Null{}),
          Seconds(r.coverage_ms),
          len ? Value(r.coverage_percentage()) : Value(Null{}),
          r.watched_credits,
          r.max_quality ? Value(int64_t{r.max_quality}) : Value(Null{}),
          r.autoplay,
          std::string(SessionStatusName(r.status)),
          int64_t{r.event_count},
          Str(r.device_id),
          Str(DeviceTypeName(r.device_type)),
          Str(r.platform),
          Str(r.app_version),
          Str(r.country),
          int64_t{r.local_start_hour},
          FormatDate(r.local_date),
          std::string(r.origin == SessionOrigin::kLegacy ? "legacy" : "events")};
}

std::string RenderObjectLine(const std::vector<std::string>& columns, const std::vector<Value>& row) {
  ResultTable t;
  t.columns = columns;
  t.rows.push_back(row);
  std::string json = RenderJson(t);
  size_t a = json.find("\"rows\":[") + std::string_view("\"rows\":[").size();
  size_t b = json.rfind("]}");
  return json.substr(a, b - a) + "\n";
}

Status ExportSessions(const store::Snapshot& snap, const SessionKeys& keys, std::optional<DayNumber> from,
                      std::optional<DayNumber> to, OutputFormat format, std::FILE* out) {
  const std::vector<std::string> cols = SessionColumns();
  if (format == OutputFormat::kCsv) WS_RETURN_IF_ERROR(WriteAll(out, CsvHeader(cols)));
  std::vector<SessionRecord> records;
  for (int32_t p : snap.Partitions(kSessionsTable)) {
    DayNumber day{p};
    if (!InRange(day, from, to)) continue;
    WS_RETURN_IF_ERROR(ReadSessions(snap, keys, day, &records));
    std::string buf;
    for (const SessionRecord& r : records) {
      std::vector<Value> row = SessionRow(r);
      buf += format == OutputFormat::kCsv ? CsvLine(row) : RenderObjectLine(cols, row);
    }
    WS_RETURN_IF_ERROR(WriteAll(out, buf));
  }
  return Status::Ok();
}

Status ExportEvents(const store::Snapshot& snap, std::optional<DayNumber> from, std::optional<DayNumber> to,
                    OutputFormat format, std::FILE* out) {
  if (format == OutputFormat::kCsv) WS_RETURN_IF_ERROR(WriteAll(out, CsvHeader(EventColumns())));
  for (int32_t p : snap.Partitions(kEventsTable)) {
    DayNumber day{p};
    if (!InRange(day, from, to)) continue;
    // Gather the day's events from all files, then order and deduplicate
    // them per session exactly as the sessionizer does.
    StringArena arena;
    std::vector<Event> events;
    WS_RETURN_IF_ERROR(ReadEvents(snap, day, [&](const EventBlock& b) -> Status {
      for (const Event& e : b.events) events.push_back(CopyEventTo(e, &arena));
      return Status::Ok();
    }));
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.session_id < b.session_id; });
    std::string buf;
    std::vector<Event> session;
    for (size_t i = 0; i < events.size();) {
      size_t j = i;
      while (j < events.size() && events[j].session_id == events[i].session_id) ++j;
      session.assign(events.begin() + static_cast<std::ptrdiff_t>(i),
                     events.begin() + static_cast<std::ptrdiff_t>(j));
      SortAndDeduplicate(&session);  // the sessionizer's own rule (SPEC 2.1, 2.2)
      for (const Event& e : session) buf += EventLine(e, format);
      i = j;
    }
    WS_RETURN_IF_ERROR(WriteAll(out, buf));
  }
  return Status::Ok();
}

}  // namespace ws
