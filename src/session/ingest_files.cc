#include "session/ingest_files.h"

#include "event/input.h"

namespace ws {

Status IngestFiles(Ingestor* ingestor, const std::vector<std::string>& files,
                   const IngestFilesOptions& options) {
  ParserOptions popts;
  popts.now = options.now;
  EventParser parser(popts);
  IngestProgress progress;
  std::string chunk;
  for (const std::string& path : files) {
    WS_ASSIGN_OR_RETURN(std::unique_ptr<InputReader> reader, InputReader::Open(path));
    ingestor->SetSource(path);
    progress.file = path;
    progress.file_bytes_total = reader->total_bytes();
    int64_t first_line = 1;
    // Only a file's first chunk may be a JSON array (or start with a BOM);
    // later chunks are NDJSON lines, whatever they start with.
    EventParser::Position position = EventParser::Position::kStart;
    while (reader->Next(&chunk, &first_line)) {
      WS_RETURN_IF_ERROR(parser.Parse(chunk, path, first_line, ingestor, position).WithContext(path));
      position = EventParser::Position::kContinuation;
      if (ingestor->ShouldFlush()) {
        WS_RETURN_IF_ERROR(ingestor->Flush(false));
        parser.ClearArena();
      }
      progress.file_bytes_read = reader->bytes_read();
      progress.events = ingestor->stats().received;
      if (options.progress) options.progress(progress);
    }
    WS_RETURN_IF_ERROR(reader->status());
  }
  WS_RETURN_IF_ERROR(ingestor->Flush(options.close_all));
  parser.ClearArena();
  return Status::Ok();
}

}  // namespace ws
