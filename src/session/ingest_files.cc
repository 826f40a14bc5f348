#include "session/ingest_files.h"

#include <xxhash.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>

#include "event/input.h"

namespace ws {
namespace {

Status IngestSequential(Ingestor* ingestor, const std::vector<std::string>& files,
                        const IngestFilesOptions& options) {
  ParserOptions popts;
  popts.max_line_bytes = options.max_line_bytes;
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

// One chunk, parsed: what the parser delivered, in order.
struct ParsedChunk {
  struct EventItem {
    Event e;
    std::string_view raw;  // into `text`
    Ingestor::EventHashes hashes;
    int64_t line;
  };
  struct WarningItem {
    WarningReason reason;
    int64_t line;
  };
  using Item = std::variant<EventItem, Rejection, WarningItem>;

  size_t file = 0;  // index into the file list
  bool file_start = false;
  uint64_t bytes_read = 0;
  uint64_t bytes_total = 0;
  bool last_of_file = false;
  std::string text;   // the chunk; raw views point into it
  StringArena arena;  // the events' strings: kept until the commit covering them
  std::vector<Item> items;
  Status status;  // a failure to read or parse (then the ingest stops)
};

// Collects what the parser delivers into a ParsedChunk (hashing the raw
// text and the ids here, on the parse thread).
class ChunkSink : public EventSink {
 public:
  explicit ChunkSink(ParsedChunk* c) : c_(c) {}
  void OnEvent(const Event& e, std::string_view raw, int64_t line) override {
    c_->items.emplace_back(ParsedChunk::EventItem{e, raw, Ingestor::HashEvent(e, raw), line});
  }
  void OnReject(Rejection r) override { c_->items.emplace_back(std::move(r)); }
  void OnWarning(WarningReason reason, int64_t line) override {
    c_->items.emplace_back(ParsedChunk::WarningItem{reason, line});
  }

 private:
  ParsedChunk* c_;
};

// Reads the files in order and parses chunks on `threads` threads; chunks
// come out in file order.
class ChunkPipeline {
 public:
  ChunkPipeline(const std::vector<std::string>& files, const IngestFilesOptions& options)
      : files_(files), options_(options) {}
  ~ChunkPipeline() { Stop(); }

  void Start(int threads) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this] { Work(); });
  }

  // The next chunk in order, or nullptr at the end of the input.
  std::unique_ptr<ParsedChunk> Next() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return done_.count(next_out_) > 0 || (exhausted_ && next_out_ == next_in_); });
    auto it = done_.find(next_out_);
    if (it == done_.end()) return nullptr;
    std::unique_ptr<ParsedChunk> c = std::move(it->second);
    done_.erase(it);
    ++next_out_;
    --in_flight_;
    cv_.notify_all();
    return c;
  }

  // A chunk the caller is done with (after the commit that covered it).
  void Recycle(std::unique_ptr<ParsedChunk> c) {
    c->items.clear();
    c->arena.Clear();
    c->status = Status::Ok();
    std::lock_guard<std::mutex> l(mu_);
    free_.push_back(std::move(c));
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  // The text of a chunk whose items were applied (its raw views are dead).
  void RecycleText(ParsedChunk* c) {
    std::lock_guard<std::mutex> l(mu_);
    texts_.push_back(std::move(c->text));
    c->text = std::string();
  }

 private:
  void Work() {
    ParserOptions popts;
    popts.max_line_bytes = options_.max_line_bytes;
    popts.now = options_.now;
    EventParser parser(popts);
    while (true) {
      std::unique_ptr<ParsedChunk> c;
      uint64_t seq = 0;
      EventParser::Position position = EventParser::Position::kContinuation;
      int64_t first_line = 1;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || exhausted_ || in_flight_ < options_.max_chunks_ahead; });
        if (stop_ || exhausted_) return;
        if (!free_.empty()) {
          c = std::move(free_.back());
          free_.pop_back();
        } else {
          c = std::make_unique<ParsedChunk>();
        }
        if (!texts_.empty()) {
          c->text = std::move(texts_.back());
          texts_.pop_back();
        }
        // Reading is sequential: under the lock, in file order.
        Status st = ReadLocked(c.get(), &first_line, &position);
        if (st.ok() && c->text.empty()) {  // the end of the input
          exhausted_ = true;
          cv_.notify_all();
          return;
        }
        seq = next_in_++;
        ++in_flight_;
        if (!st.ok()) {
          c->status = st;
          exhausted_ = true;
          done_[seq] = std::move(c);
          cv_.notify_all();
          return;
        }
      }
      ChunkSink sink(c.get());
      parser.SetArena(&c->arena);
      const std::string& path = files_[c->file];
      c->status = parser.Parse(c->text, path, first_line, &sink, position).WithContext(path);
      std::lock_guard<std::mutex> l(mu_);
      if (!c->status.ok()) exhausted_ = true;
      done_[seq] = std::move(c);
      cv_.notify_all();
    }
  }

  // Fills c->text with the next chunk of the input (empty at the end).
  // Requires mu_ held.
  Status ReadLocked(ParsedChunk* c, int64_t* first_line, EventParser::Position* position) {
    c->text.clear();
    while (true) {
      if (reader_ == nullptr) {
        if (file_ >= files_.size()) return Status::Ok();
        Result<std::unique_ptr<InputReader>> r = InputReader::Open(files_[file_]);
        if (!r.ok()) {
          reader_failed_ = true;
          return r.status();
        }
        reader_ = std::move(r).value();
        file_start_ = true;
      }
      c->file = file_;
      c->bytes_total = reader_->total_bytes();
      int64_t line = 1;
      if (reader_->Next(&c->text, &line)) {
        *first_line = line;
        *position = file_start_ ? EventParser::Position::kStart : EventParser::Position::kContinuation;
        c->file_start = file_start_;
        file_start_ = false;
        c->bytes_read = reader_->bytes_read();
        return Status::Ok();
      }
      Status st = reader_->status();
      reader_.reset();
      if (!st.ok()) {
        reader_failed_ = true;
        return st;
      }
      ++file_;
    }
  }

  const std::vector<std::string>& files_;
  const IngestFilesOptions& options_;
  std::vector<std::thread> threads_;
  std::mutex mu_;  // guards everything below, and the reader
  std::condition_variable cv_;
  std::unique_ptr<InputReader> reader_;
  size_t file_ = 0;
  bool file_start_ = true;
  bool reader_failed_ = false;
  bool exhausted_ = false;
  bool stop_ = false;
  uint64_t next_in_ = 0;   // sequence of the next chunk read
  uint64_t next_out_ = 0;  // sequence of the next chunk handed out
  size_t in_flight_ = 0;   // read, not yet handed out
  std::map<uint64_t, std::unique_ptr<ParsedChunk>> done_;
  std::vector<std::unique_ptr<ParsedChunk>> free_;
  std::vector<std::string> texts_;  // chunk buffers to reuse
};

Status IngestPipelined(Ingestor* ingestor, const std::vector<std::string>& files,
                       const IngestFilesOptions& options) {
  ChunkPipeline pipeline(files, options);
  pipeline.Start(options.parse_threads);
  IngestProgress progress;
  std::vector<std::unique_ptr<ParsedChunk>> held;  // their strings live until the next commit
  size_t current_file = files.size();
  while (std::unique_ptr<ParsedChunk> c = pipeline.Next()) {
    if (!c->status.ok()) return c->status;
    if (c->file != current_file) {
      current_file = c->file;
      ingestor->SetSource(files[current_file]);
      progress.file = files[current_file];
    }
    for (ParsedChunk::Item& item : c->items) {
      if (auto* e = std::get_if<ParsedChunk::EventItem>(&item)) {
        ingestor->OnHashedEvent(e->e, e->hashes, e->raw, e->line);
      } else if (auto* r = std::get_if<Rejection>(&item)) {
        ingestor->OnReject(std::move(*r));
      } else {
        const auto& w = std::get<ParsedChunk::WarningItem>(item);
        ingestor->OnWarning(w.reason, w.line);
      }
    }
    progress.file_bytes_read = c->bytes_read;
    progress.file_bytes_total = c->bytes_total;
    progress.events = ingestor->stats().received;
    c->items.clear();
    pipeline.RecycleText(c.get());
    held.push_back(std::move(c));
    if (ingestor->ShouldFlush()) {
      WS_RETURN_IF_ERROR(ingestor->Flush(false));
      for (auto& h : held) pipeline.Recycle(std::move(h));
      held.clear();
    }
    if (options.progress) options.progress(progress);
  }
  return ingestor->Flush(options.close_all);
}

}  // namespace

Status IngestFiles(Ingestor* ingestor, const std::vector<std::string>& files,
                   const IngestFilesOptions& options) {
  if (options.parse_threads <= 0) return IngestSequential(ingestor, files, options);
  return IngestPipelined(ingestor, files, options);
}

}  // namespace ws
