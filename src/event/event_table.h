// The event module's tables in the store (docs/storage-format.md, section
// 6): "events" (accepted events as received, one partition per UTC day of
// their ts) and "quarantine" (rejected events with their reasons).
//
// The store knows only their columns; this module maps Events and
// Rejections to and from them. Rows of an events file are kept by
// (session_id bytewise, SPEC 2.2 order), so that one session's events are
// contiguous and the per-session columns compress to runs.
//
// Thread safety: pure functions; an EventBlock is used by one thread.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "event/parser.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/status.h"

namespace ws {

inline constexpr std::string_view kEventsTable = "events";
inline constexpr std::string_view kQuarantineTable = "quarantine";

const store::TableDef& EventsTableDef();
const store::TableDef& QuarantineTableDef();

// Events decoded from one block; `events` point into the block's columns
// (or into `arena`).
struct EventBlock {
  store::ColumnBatch batch;
  StringArena arena;
  std::vector<Event> events;
};

// The row order of an events file: indexes into `events` sorted by
// (session_id bytewise, then CompareEventOrder), stable for equal keys.
// Linear when the events come grouped by session.
std::vector<uint32_t> EventFileOrder(std::span<const Event* const> events);

// Encodes one day's events as a file of table "events", rows taken in the
// order `order` gives (EventFileOrder when empty). Failure:
// kInvalidArgument for an enum holding an undefined value.
Result<store::NewFile> EncodeEvents(const store::TableDef& def, std::span<const Event* const> events,
                                    DayNumber day, std::span<const uint32_t> order = {});

// A set of session ids to read the events of (the views must outlive it).
class SessionSet {
 public:
  explicit SessionSet(std::vector<std::string_view> ids);
  bool Contains(std::string_view id) const;
  // True when some id lies in [lo, hi] (bytewise).
  bool AnyIn(std::string_view lo, std::string_view hi) const;
  bool empty() const { return sorted_.empty(); }

 private:
  std::vector<std::string_view> sorted_;
};

// Decodes block `block` of an events partition. With `wanted`, only the
// events of those sessions are delivered; a block whose session-id
// statistics rule them all out is skipped without reading a chunk, and one
// whose session ids hold none of them after reading only that column.
Status DecodeEventsBlock(const store::PartitionReader& reader, size_t block, EventBlock* out,
                         const SessionSet* wanted = nullptr);

// Decodes every event of block `block` of an events file (e.g. one read
// from a write-ahead log record).
Status DecodeEventsFileBlock(const store::TableFile& file, size_t block, EventBlock* out);

// Calls fn for every block of events of `day` (oldest file first) that has
// events to deliver; `wanted` as for DecodeEventsBlock.
Status ReadEvents(const store::Snapshot& snap, DayNumber day,
                  const std::function<Status(const EventBlock&)>& fn, const SessionSet* wanted = nullptr);

// Encodes rejections (in order) as a file of table "quarantine".
Result<store::NewFile> EncodeRejections(std::span<const Rejection> rejections);
// Calls fn for every quarantined event, oldest first.
Status ReadRejections(const store::Snapshot& snap, const std::function<Status(const Rejection&)>& fn);
// Appends every rejection of a quarantine file (e.g. one read from a
// write-ahead log record) to *out.
Status DecodeRejectionsFile(const store::TableFile& file, std::vector<Rejection>* out);

}  // namespace ws
