// Event input files (SPEC 1): plain or gzip, or stdin, read in chunks that
// EventParser::Parse (event/parser.h) accepts as they are.
//
// Thread safety: an InputReader is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/status.h"

namespace ws {

// Reads event input files: plain or gzip (detected by magic bytes), or stdin
// for "-". Delivers chunks that end on a line boundary for NDJSON, or the
// whole input when it is a JSON array.
class InputReader {
 public:
  static constexpr size_t kDefaultChunkBytes = size_t{8} << 20;
  // Opens `path` ("-" = stdin). A missing file is NotFound ("cannot open
  // events file 'x': No such file or directory"). NDJSON chunks hold about
  // `chunk_bytes` (more when a single line is longer).
  static Result<std::unique_ptr<InputReader>> Open(const std::string& path,
                                                   size_t chunk_bytes = kDefaultChunkBytes);
  virtual ~InputReader() = default;
  // Next chunk into *out (replacing it); *first_line is the chunk's first
  // line number. Returns false at end of input. On error returns the
  // Status through status(). Give the first chunk to EventParser::Parse at
  // Position::kStart and every later one at Position::kContinuation: only
  // the first may be a JSON array (then it is the only chunk).
  virtual bool Next(std::string* out, int64_t* first_line) = 0;
  virtual const Status& status() const = 0;
  // Bytes consumed from the underlying file so far (for progress) and its size (0 if unknown).
  virtual uint64_t bytes_read() const = 0;
  virtual uint64_t total_bytes() const = 0;
};

}  // namespace ws
