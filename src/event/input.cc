// InputReader (event/input.h): files or stdin, plain or gzip, in chunks.
//
// The reader decodes a byte stream (plain, or gzip inflated member after
// member) and cuts it into chunks of about chunk_bytes that end just after a
// '\n', carrying the partial last line over to the next chunk. When the first
// non-whitespace byte is '[' the input is a JSON array and is delivered whole.

#include "event/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ws {
namespace {

constexpr size_t kMaxReadBlock = size_t{1} << 20;  // bytes per read() / inflate() step
constexpr unsigned char kGzipMagic0 = 0x1f;
constexpr unsigned char kGzipMagic1 = 0x8b;
constexpr int kGzipWindowBits = 15 + 16;  // zlib: max window, gzip wrapper only
constexpr int kStdinFd = 0;

std::string ErrnoText(int err) { return std::strerror(err); }

// Number of '\n' bytes in `s`. Counts in byte lanes that cannot overflow
// (at most kMaxRounds per lane between flushes), which the compiler turns
// into wide compares and adds; std::count widens every match to 64 bits.
size_t CountNewlines(std::string_view s) {
  constexpr size_t kLanes = 32;
  constexpr size_t kMaxRounds = 255;
  const char* p = s.data();
  size_t n = s.size();
  size_t total = 0;
  while (n >= kLanes) {
    const size_t rounds = std::min(n / kLanes, kMaxRounds);
    uint8_t lanes[kLanes] = {};
    for (size_t r = 0; r < rounds; ++r, p += kLanes) {
      for (size_t j = 0; j < kLanes; ++j) lanes[j] = static_cast<uint8_t>(lanes[j] + (p[j] == '\n'));
    }
    for (size_t j = 0; j < kLanes; ++j) total += lanes[j];
    n -= rounds * kLanes;
  }
  for (size_t j = 0; j < n; ++j) total += p[j] == '\n';
  return total;
}

bool IsSpaceOrBom(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || static_cast<unsigned char>(c) >= 0x80;
}

class FileInputReader final : public InputReader {
 public:
  FileInputReader(std::string name, int fd, bool owns_fd, uint64_t total, size_t chunk_bytes)
      : name_(std::move(name)),
        fd_(fd),
        owns_fd_(owns_fd),
        total_(total),
        chunk_bytes_(std::max<size_t>(chunk_bytes, 1)),
        block_(std::min(kMaxReadBlock, chunk_bytes_)),
        raw_(std::make_unique<unsigned char[]>(kMaxReadBlock)) {}

  ~FileInputReader() override {
    if (inflating_) inflateEnd(&zs_);
    if (owns_fd_) close(fd_);
  }

  bool Next(std::string* out, int64_t* first_line) override;
  const Status& status() const override { return status_; }
  uint64_t bytes_read() const override { return bytes_read_; }
  uint64_t total_bytes() const override { return total_; }

 private:
  // Reads raw bytes into raw_ (replacing what is there). Returns false on
  // error (status_ set); raw_len_ == 0 with raw_eof_ at end of file.
  bool FillRaw();
  // Appends up to `max` decoded bytes to *out. Returns false on error; sets
  // decoded_eof_ at the end of the stream.
  bool ReadDecoded(std::string* out, size_t max);
  bool Start();
  void Fail(Status st) {
    if (status_.ok()) status_ = std::move(st);
  }

  std::string name_;
  int fd_;
  bool owns_fd_;
  uint64_t total_;
  size_t chunk_bytes_;
  size_t block_;
  Status status_;
  uint64_t bytes_read_ = 0;

  std::unique_ptr<unsigned char[]> raw_;
  size_t raw_pos_ = 0;
  size_t raw_len_ = 0;
  bool raw_eof_ = false;

  bool started_ = false;
  bool gzip_ = false;
  bool inflating_ = false;
  z_stream zs_{};
  bool decoded_eof_ = false;

  bool format_known_ = false;
  bool array_ = false;
  bool done_ = false;
  std::string carry_;  // a partial line left over from the previous chunk
  int64_t next_line_ = 1;
};

bool FileInputReader::FillRaw() {
  raw_pos_ = 0;
  raw_len_ = 0;
  while (true) {
    ssize_t n = read(fd_, raw_.get(), kMaxReadBlock);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Fail(Status::IOError("cannot read events file '" + name_ + "': " + ErrnoText(errno)));
      return false;
    }
    raw_len_ = static_cast<size_t>(n);
    bytes_read_ += raw_len_;
    if (n == 0) raw_eof_ = true;
    return true;
  }
}

bool FileInputReader::Start() {
  started_ = true;
  if (!FillRaw()) return false;
  gzip_ = raw_len_ >= 2 && raw_[0] == kGzipMagic0 && raw_[1] == kGzipMagic1;
  if (gzip_) {
    if (inflateInit2(&zs_, kGzipWindowBits) != Z_OK) {
      Fail(Status::Internal("cannot initialise gzip decompression for '" + name_ + "'"));
      return false;
    }
    inflating_ = true;
  }
  return true;
}

bool FileInputReader::ReadDecoded(std::string* out, size_t max) {
  const size_t old = out->size();
  if (!gzip_) {
    if (raw_pos_ < raw_len_) {
      // Bytes read by Start() to detect the format.
      const size_t n = std::min(max, raw_len_ - raw_pos_);
      out->append(reinterpret_cast<const char*>(raw_.get()) + raw_pos_, n);
      raw_pos_ += n;
      return true;
    }
    if (raw_eof_) {
      decoded_eof_ = true;
      return true;
    }
    // Read straight into the chunk: no staging copy.
    out->resize(old + max);
    ssize_t n;
    do {
      n = read(fd_, out->data() + old, max);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      out->resize(old);
      Fail(Status::IOError("cannot read events file '" + name_ + "': " + ErrnoText(errno)));
      return false;
    }
    out->resize(old + static_cast<size_t>(n));
    bytes_read_ += static_cast<uint64_t>(n);
    if (n == 0) {
      raw_eof_ = true;
      decoded_eof_ = true;
    }
    return true;
  }
  out->resize(old + max);
  size_t produced = 0;
  while (produced == 0 && !decoded_eof_) {
    if (raw_pos_ == raw_len_) {
      if (raw_eof_ || !FillRaw()) {
        if (status_.ok()) Fail(Status::Corruption("gzip file '" + name_ + "' is truncated"));
        break;
      }
      if (raw_len_ == 0) {
        Fail(Status::Corruption("gzip file '" + name_ + "' is truncated"));
        break;
      }
    }
    zs_.next_in = raw_.get() + raw_pos_;
    zs_.avail_in = static_cast<uInt>(raw_len_ - raw_pos_);
    zs_.next_out = reinterpret_cast<Bytef*>(out->data() + old + produced);
    zs_.avail_out = static_cast<uInt>(max - produced);
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    raw_pos_ = raw_len_ - zs_.avail_in;
    produced = max - zs_.avail_out;
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (concatenated .gz files).
      if (raw_pos_ == raw_len_ && !raw_eof_ && !FillRaw()) break;
      if (raw_pos_ == raw_len_) {
        decoded_eof_ = true;
      } else if (raw_[raw_pos_] == kGzipMagic0) {
        inflateReset(&zs_);
      } else {
        Fail(Status::Corruption("gzip file '" + name_ + "' has unexpected data after its compressed stream"));
        break;
      }
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      Fail(Status::Corruption("gzip file '" + name_ +
                              "' is corrupt: " + (zs_.msg != nullptr ? zs_.msg : "bad data")));
      break;
    }
  }
  out->resize(old + produced);
  return status_.ok();
}

bool FileInputReader::Next(std::string* out, int64_t* first_line) {
  out->clear();
  if (done_ || !status_.ok()) return false;
  if (!started_ && !Start()) return false;
  // The caller's buffer keeps its capacity from chunk to chunk, so a reader
  // of many chunks allocates (and faults in) its buffer once.
  if (out->capacity() < chunk_bytes_ + block_) out->reserve(chunk_bytes_ + block_);
  out->append(carry_);
  carry_.clear();

  bool ok = true;
  if (!format_known_) {
    // Decide the format from the first non-whitespace byte.
    size_t i = 0;
    while (ok) {
      while (i < out->size() && IsSpaceOrBom((*out)[i])) ++i;
      if (i < out->size() || decoded_eof_) break;
      ok = ReadDecoded(out, block_);
    }
    format_known_ = true;
    array_ = i < out->size() && (*out)[i] == '[';
  }
  if (array_) {
    while (ok && !decoded_eof_) ok = ReadDecoded(out, kMaxReadBlock);
    done_ = true;
    *first_line = 1;
    return ok && !out->empty();
  }
  size_t search_from = 0;
  while (ok) {
    if (out->size() >= chunk_bytes_ || decoded_eof_) {
      if (decoded_eof_) break;
      const size_t nl = out->rfind('\n');
      if (nl != std::string::npos && nl >= search_from) {
        carry_.assign(*out, nl + 1);
        out->resize(nl + 1);
        break;
      }
      search_from = out->size();  // one line longer than a chunk: keep reading
    }
    // Plain input is read straight into the chunk, all the blocks that fill
    // it in one read (the chunk ends where block-by-block reading would).
    size_t want = block_;
    if (!gzip_ && out->size() < chunk_bytes_) want *= (chunk_bytes_ - out->size() + block_ - 1) / block_;
    ok = ReadDecoded(out, want);
  }
  if (!ok) {
    // Deliver the complete lines read before the error; the error follows.
    const size_t nl = out->rfind('\n');
    out->resize(nl == std::string::npos ? 0 : nl + 1);
    carry_.clear();
    done_ = true;
  }
  if (decoded_eof_ && carry_.empty()) done_ = true;
  if (out->empty()) return false;
  *first_line = next_line_;
  next_line_ += static_cast<int64_t>(CountNewlines(*out));
  return true;
}

}  // namespace

Result<std::unique_ptr<InputReader>> InputReader::Open(const std::string& path, size_t chunk_bytes) {
  if (path == "-") {
    return std::unique_ptr<InputReader>(
        std::make_unique<FileInputReader>("-", kStdinFd, false, 0, chunk_bytes));
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string msg = "cannot open events file '" + path + "': " + ErrnoText(err);
    if (err == ENOENT) return Status::NotFound(std::move(msg));
    return Status::IOError(std::move(msg));
  }
  struct stat st {};
  uint64_t total = 0;
  if (fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      close(fd);
      return Status::IOError("cannot open events file '" + path + "': " + ErrnoText(EISDIR));
    }
    if (S_ISREG(st.st_mode)) {
      total = static_cast<uint64_t>(st.st_size);
      // Advisory only: a larger read-ahead window for one front-to-back pass.
      (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
  }
  return std::unique_ptr<InputReader>(std::make_unique<FileInputReader>(path, fd, true, total, chunk_bytes));
}

}  // namespace ws
