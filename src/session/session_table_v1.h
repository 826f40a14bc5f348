// Decoder of the session module's files of store format version 1
// (docs/storage-format.md, appendix A): session segments (.wss). Used only
// to upgrade a version-1 store.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "session/session.h"
#include "util/status.h"

namespace ws::v1 {

// Decodes a .wss image (records with strings, no keys). Failure:
// kCorruption (a message without the file name).
Status DecodeSessionSegment(std::string_view file, std::vector<SessionRecord>* out);

}  // namespace ws::v1
