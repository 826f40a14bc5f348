// Event parsing and validation (SPEC 1, 1.1).
//
// EventParser turns NDJSON or a JSON array into validated Events. Every
// input object ends in exactly one of: EventSink::OnEvent (accepted, maybe
// with warnings) or EventSink::OnReject (kept as received with a reason).
// One bad object never affects the others.
//
// Thread safety: an EventParser is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "event/event.h"
#include "util/arena.h"
#include "util/status.h"

namespace ws {

// A rejected event, kept as received (SPEC 1.1).
struct Rejection {
  RejectReason reason = RejectReason::kNotJson;
  std::string message;  // a sentence a user understands
  std::string raw;      // the object's text as received
  std::string source;   // file name, "-" for stdin, "http", ...
  int64_t line = 0;     // 1-based line (NDJSON) or element index (array)
  EpochMillis received_at;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // `e`'s strings live in the parser's arena until EventParser::ClearArena().
  // `raw` is the event's text, valid only during the call.
  virtual void OnEvent(const Event& e, std::string_view raw, int64_t line) = 0;
  virtual void OnReject(Rejection r) = 0;
  virtual void OnWarning(WarningReason reason, int64_t line) = 0;
};

struct ParserOptions {
  // Server clock; events more than max_future_ms after it are rejected.
  EpochMillis now;
  int64_t max_future_ms = 24 * 3600 * 1000LL;
  // A line (an array element) longer than this is rejected as line_too_long
  // without being parsed; its first max_line_bytes bytes are kept (SPEC 9).
  size_t max_line_bytes = size_t{1} << 20;
};

class EventParser {
 public:
  explicit EventParser(ParserOptions options);
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // Where a piece of input given to Parse sits in its input.
  enum class Position : uint8_t {
    // The whole input, or its first chunk: a UTF-8 BOM is skipped and a
    // leading '[' makes it a JSON array.
    kStart,
    // A later chunk of an NDJSON input (every InputReader chunk after the
    // first): complete lines only, parsed exactly as they would be inside
    // one whole input, so a line starting with '[' or a BOM is a line like
    // any other (and no array detection ever spans a chunk).
    kContinuation,
  };

  // Parses `data`, which holds complete NDJSON lines or, at kStart, one
  // whole JSON array (detected by a leading '['; a UTF-8 BOM is skipped).
  // `first_line` is the number of the first line in `data` (for NDJSON read
  // in chunks). Blank lines (JSON whitespace only) are skipped; a trailing
  // '\r' is dropped. Array elements are numbered first_line, first_line + 1,
  // ... (the 1-based element index when first_line is 1). Text after a
  // closed array makes the input NDJSON. An NDJSON input that does not start
  // with '[' gives the same outcomes, with the same line numbers, whether it
  // is parsed whole or cut into chunks at line boundaries (the first at
  // kStart, the others at kContinuation); InputReader delivers an input that
  // starts with '[' whole.
  // Returns non-OK only when the input as a whole cannot be read (an array
  // that is not closed: then nothing is delivered); individual bad objects
  // go to OnReject.
  //
  // Field rules beyond SPEC 1: a JSON null is the same as an absent field;
  // an empty string in an optional string field is absent (no warning);
  // `type` and `action` both accept the canonical names and the seed-003
  // aliases, case-insensitively; when a field and its alias are both
  // present the canonical one is used. Values of unknown fields are not
  // fully validated (nested containers are skipped), so a line whose only
  // defect is deep inside an unknown field may be accepted.
  Status Parse(std::string_view data, std::string_view source, int64_t first_line, EventSink* sink,
               Position position = Position::kStart);

  // Sets the server clock used for the future check and `received_at`
  // (a long-lived parser, e.g. in the HTTP server, updates it per batch).
  void SetNow(EpochMillis now);

  // Releases the strings of all events delivered so far (clears the arena
  // in use).
  void ClearArena();
  // From now on, event strings go into `arena` (nullptr: the parser's own),
  // which must outlive the events. The parser no longer shares copies with
  // events delivered before.
  void SetArena(StringArena* arena);
  // Bytes of event strings held since the last ClearArena.
  size_t arena_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ws
