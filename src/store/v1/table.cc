#include "store/v1/table.h"

#include <zstd.h>

#include <memory>
#include <utility>

#include "store/encoding.h"
#include "util/checksum.h"

namespace ws::store::v1 {
namespace {

constexpr int kZstdLevel = 1;
constexpr uint8_t kCodecStored = 0;
constexpr uint8_t kCodecZstd = 1;
constexpr size_t kHeaderBytes = 32;        // magic, version, columns, rows, checksum
constexpr size_t kHeaderChecksummed = 24;  // bytes covered by the header checksum
constexpr size_t kTrailerBytes = 24;       // directory offset, footer checksum, end magic
constexpr size_t kMaxColumnName = 64;
constexpr size_t kMaxColumns = 255;
// Upper bound on one decompressed column, a guard against absurd sizes.
constexpr uint64_t kMaxRawColumnBytes = uint64_t{1} << 34;

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

Status Corrupt(std::string what) { return Status::Corruption(std::move(what)); }

}  // namespace

TableWriter::TableWriter(std::string_view magic, uint64_t rows) : magic_(magic), rows_(rows) {}

void TableWriter::AddColumn(std::string_view name, ColumnEncoding encoding, std::string raw) {
  columns_.push_back(Column{std::string(name), encoding, std::move(raw)});
}

Result<std::string> TableWriter::Finish() {
  if (magic_.size() != kMagicBytes || columns_.size() > kMaxColumns) {
    return Status::Internal("table writer misused: bad magic or too many columns");
  }
  ByteSink out;
  out.PutBytes(magic_.data(), kMagicBytes);
  out.PutFixed32(kFormatVersion);
  out.PutFixed32(static_cast<uint32_t>(columns_.size()));
  out.PutFixed64(rows_);
  std::string header = out.Finish();
  uint64_t header_sum = Checksum64(header);
  ByteSink dir;
  std::string body = std::move(header);
  {
    char b[8];
    StoreFixed64(b, header_sum);
    body.append(b, sizeof b);
  }
  std::string compressed;
  for (const Column& c : columns_) {
    if (c.name.empty() || c.name.size() > kMaxColumnName) {
      return Status::Internal("table writer misused: bad column name '" + c.name + "'");
    }
    size_t bound = ZSTD_compressBound(c.raw.size());
    compressed.resize(bound);
    size_t n =
        ZSTD_compressCCtx(ThreadCCtx(), compressed.data(), bound, c.raw.data(), c.raw.size(), kZstdLevel);
    if (ZSTD_isError(n)) {
      return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    }
    uint8_t codec = kCodecZstd;
    std::string_view stored(compressed.data(), n);
    if (n >= c.raw.size()) {
      codec = kCodecStored;
      stored = c.raw;
    }
    uint64_t offset = body.size();
    body.append(stored);
    dir.PutU8(static_cast<uint8_t>(c.name.size()));
    dir.PutBytes(c.name.data(), c.name.size());
    dir.PutU8(static_cast<uint8_t>(c.encoding));
    dir.PutU8(codec);
    dir.PutFixed64(offset);
    dir.PutFixed64(stored.size());
    dir.PutFixed64(c.raw.size());
    dir.PutFixed64(Checksum64(stored));
  }
  uint64_t dir_offset = body.size();
  dir.PutFixed64(dir_offset);
  std::string footer = dir.Finish();
  body.append(footer);
  char b[8];
  StoreFixed64(b, Checksum64(footer));
  body.append(b, sizeof b);
  body.append(kTableEndMagic);
  columns_.clear();
  return body;
}

Result<TableReader> TableReader::Open(std::string_view file, std::string_view magic) {
  if (file.size() < kHeaderBytes + kTrailerBytes) return Corrupt("file is too short to be a table");
  const char* end = file.data() + file.size();
  if (std::string_view(end - kMagicBytes, kMagicBytes) != kTableEndMagic)
    return Corrupt("end magic is wrong");
  uint64_t dir_offset = LoadFixed64(end - kTrailerBytes);
  uint64_t footer_sum = LoadFixed64(end - kTrailerBytes + 8);
  uint64_t footer_end = file.size() - (kTrailerBytes - 8);  // directory + offset field
  if (dir_offset < kHeaderBytes || dir_offset > file.size() - kTrailerBytes) {
    return Corrupt("footer offset is out of range");
  }
  std::string_view footer = file.substr(dir_offset, footer_end - dir_offset);
  if (Checksum64(footer) != footer_sum) return Corrupt("footer checksum mismatch");
  if (file.substr(0, kMagicBytes) != magic) return Corrupt("magic bytes are wrong (not this kind of file)");
  if (Checksum64(file.data(), kHeaderChecksummed) != LoadFixed64(file.data() + kHeaderChecksummed)) {
    return Corrupt("header checksum mismatch");
  }
  ByteSource hdr(file.substr(kMagicBytes, kHeaderChecksummed - kMagicBytes));
  uint32_t version = 0;
  uint32_t columns = 0;
  uint64_t rows = 0;
  if (!hdr.GetFixed32(&version) || !hdr.GetFixed32(&columns) || !hdr.GetFixed64(&rows)) {
    return Corrupt("header is malformed");
  }
  if (version != kFormatVersion) return Corrupt("unsupported format version " + std::to_string(version));
  TableReader r;
  r.rows_ = rows;
  ByteSource dir(footer.substr(0, footer.size() - 8));
  for (uint32_t i = 0; i < columns; ++i) {
    uint8_t name_len = 0;
    std::string_view name;
    uint8_t encoding = 0;
    uint8_t codec = 0;
    uint64_t offset = 0;
    uint64_t stored_len = 0;
    uint64_t raw_len = 0;
    uint64_t sum = 0;
    if (!dir.GetU8(&name_len) || !dir.GetBytes(name_len, &name) || !dir.GetU8(&encoding) ||
        !dir.GetU8(&codec) || !dir.GetFixed64(&offset) || !dir.GetFixed64(&stored_len) ||
        !dir.GetFixed64(&raw_len) || !dir.GetFixed64(&sum)) {
      return Corrupt("column directory is malformed");
    }
    if (offset < kHeaderBytes || offset > dir_offset || stored_len > dir_offset - offset) {
      return Corrupt("column '" + std::string(name) + "' lies outside the file");
    }
    if (codec > kCodecZstd || (codec == kCodecStored && raw_len != stored_len) ||
        raw_len > kMaxRawColumnBytes) {
      return Corrupt("column '" + std::string(name) + "' has a bad codec or size");
    }
    std::string_view stored = file.substr(offset, stored_len);
    if (Checksum64(stored) != sum) return Corrupt("column '" + std::string(name) + "' checksum mismatch");
    r.entries_.push_back(
        Entry{std::string(name), static_cast<ColumnEncoding>(encoding), codec, stored, raw_len});
  }
  if (!dir.done()) return Corrupt("column directory has trailing bytes");
  return r;
}

Result<std::string_view> TableReader::Column(std::string_view name, ColumnEncoding encoding) {
  for (const Entry& e : entries_) {
    if (e.name != name) continue;
    if (e.encoding != encoding) return Corrupt("column '" + e.name + "' has an unexpected encoding");
    if (e.codec == kCodecStored) return e.stored;
    unsigned long long frame = ZSTD_getFrameContentSize(e.stored.data(), e.stored.size());
    if (frame != e.raw_length) return Corrupt("column '" + e.name + "' has a bad compressed frame");
    std::string buf(e.raw_length, '\0');
    size_t n = ZSTD_decompressDCtx(ThreadDCtx(), buf.data(), buf.size(), e.stored.data(), e.stored.size());
    if (ZSTD_isError(n) || n != e.raw_length) return Corrupt("column '" + e.name + "' does not decompress");
    buffers_.push_back(std::move(buf));
    return std::string_view(buffers_.back());
  }
  return Corrupt("column '" + std::string(name) + "' is missing");
}

}  // namespace ws::store::v1
