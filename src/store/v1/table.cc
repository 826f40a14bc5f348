#include "store/v1/table.h"

#include <memory>
#include <utility>

#include "store/compress.h"
#include "store/encoding.h"
#include "util/checksum.h"

namespace ws::store::v1 {
namespace {

constexpr uint8_t kCodecStored = 0;
constexpr uint8_t kCodecZstd = 1;
constexpr size_t kHeaderBytes = 32;        // magic, version, columns, rows, checksum
constexpr size_t kHeaderChecksummed = 24;  // bytes covered by the header checksum
constexpr size_t kTrailerBytes = 24;       // directory offset, footer checksum, end magic
// Upper bound on one decompressed column, a guard against absurd sizes.
constexpr uint64_t kMaxRawColumnBytes = uint64_t{1} << 34;

Status Corrupt(std::string what) { return Status::Corruption(std::move(what)); }

}  // namespace

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
    std::string buf;
    if (!ZstdDecompress(e.stored, static_cast<size_t>(e.raw_length), &buf).ok()) {
      return Corrupt("column '" + e.name + "' does not decompress");
    }
    buffers_.push_back(std::move(buf));
    return std::string_view(buffers_.back());
  }
  return Corrupt("column '" + std::string(name) + "' is missing");
}

}  // namespace ws::store::v1
