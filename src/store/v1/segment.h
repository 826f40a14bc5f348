// Encoding and decoding of the store's three table kinds
// (docs/storage-format.md, section 5): event segments (.wse), session
// segments (.wss) and quarantine files (.wsq).
//
// Encoders take rows in the order they are to be stored and return the
// complete file image; decoders verify the image (checksums, structure,
// value ranges) and return kCorruption (a message without the file name)
// rather than garbage. Everything round-trips exactly.
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "event/parser.h"
#include "session/session.h"
#include "store/v1/store.h"
#include "util/status.h"

namespace ws::store::v1 {

// The row order of an event segment: indexes into `events` sorted by
// (session_id bytewise, then CompareEventOrder), stable for equal keys.
// Linear-time grouping by session plus small per-session sorts.
std::vector<uint32_t> EventSegmentOrder(std::span<const Event> events);
std::vector<uint32_t> EventSegmentOrder(std::span<const Event* const> events);
// Reorders `events` in place into EventSegmentOrder.
void SortEventsForSegment(std::vector<Event>* events);

// Encodes events as a .wse image, rows taken as events[order[0]],
// events[order[1]], ... (or in the given order when `order` is empty).
// Requires: order empty or a permutation of [0, events.size()).
// Failure: kInvalidArgument when an enum field holds an undefined value or
// order has the wrong size.
Result<std::string> EncodeEventSegment(std::span<const Event> events, std::span<const uint32_t> order = {});
Result<std::string> EncodeEventSegment(std::span<const Event* const> events,
                                       std::span<const uint32_t> order = {});
// Decodes a .wse image; out->events point into out->arena.
// With `wanted`, only rows of sessions it accepts are delivered, and a
// segment with none of them stops after its session-id column.
Status DecodeEventSegment(std::string_view file, EventBlock* out,
                          const std::function<bool(std::string_view)>* wanted = nullptr);

// Sorts records by session_id (stable).
void SortSessionsForSegment(std::vector<SessionRecord>* records);
// Encodes records (in the given order) as a .wss image.
// Failure: kInvalidArgument when an enum field holds an undefined value.
Result<std::string> EncodeSessionSegment(std::span<const SessionRecord> records);
Status DecodeSessionSegment(std::string_view file, std::vector<SessionRecord>* out);

// Encodes rejections (in the given order) as a .wsq image.
Result<std::string> EncodeQuarantine(std::span<const Rejection> rejections);
// Appends the decoded rejections to *out.
Status DecodeQuarantine(std::string_view file, std::vector<Rejection>* out);

}  // namespace ws::store::v1
