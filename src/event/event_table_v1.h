// Decoders of the event module's files of store format version 1
// (docs/storage-format.md, appendix A): event segments (.wse) and
// quarantine files (.wsq). Used only to upgrade a version-1 store; nothing
// writes version 1 any more.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "event/event.h"
#include "event/parser.h"
#include "util/arena.h"
#include "util/status.h"

namespace ws::v1 {

// Decodes a .wse image; the events' strings are copied into `arena`.
// Failure: kCorruption (a message without the file name).
Status DecodeEventSegment(std::string_view file, StringArena* arena, std::vector<Event>* out);
// Appends the decoded rejections of a .wsq image to *out.
Status DecodeQuarantine(std::string_view file, std::vector<Rejection>* out);

}  // namespace ws::v1
