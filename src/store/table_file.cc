// Table files of format v2 (store/table_file.h).
#include "store/table_file.h"

#include <algorithm>
#include <set>

#include "store/compress.h"
#include "store/encoding.h"
#include "util/checksum.h"

namespace ws::store {
namespace {

constexpr size_t kHeaderBytes = 24;        // magic, version, flags, checksum
constexpr size_t kHeaderChecksummed = 16;  // bytes covered by the header checksum
constexpr size_t kTrailerBytes = 24;       // footer offset, footer checksum, end magic
constexpr size_t kOffsetFieldBytes = 8;    // the footer offset, the footer's last field
constexpr size_t kChecksumBytes = 8;
constexpr size_t kMaxColumnName = 64;
constexpr size_t kMaxColumns = 255;
constexpr uint8_t kCodecStored = 0;
constexpr uint8_t kCodecZstd = 1;
constexpr uint8_t kStatInt = 1;
constexpr uint8_t kStatString = 2;
// Compress a chunk only when zstd saves at least 1/kMinSavingDivisor of it;
// bit-packed integer chunks, which scans decode at memory speed, only when
// it saves 1/kMinSavingDivisorPacked (decompressing costs more there than
// the bytes it saves).
constexpr size_t kMinSavingDivisor = 16;
constexpr size_t kMinSavingDivisorPacked = 4;

bool DecodesAtMemorySpeed(Encoding e) {
  return e == Encoding::kBitpack || e == Encoding::kDeltaBitpack || e == Encoding::kPlain;
}
// Upper bound on one decompressed chunk, a guard against absurd sizes.
constexpr uint64_t kMaxRawChunkBytes = uint64_t{1} << 29;  // 512 MiB: 65,536 rows of the longest fields

Status Corrupt(const std::string& what) { return Status::Corruption(what); }

// Parses the footer `bytes` (without its trailing offset field) of a file
// whose footer starts at `footer_offset`, checking every count, range and
// chunk position. With `checksum_fields`, appends the position in `bytes` of
// each chunk's checksum field (block by block, column by column).
// Failure: kCorruption; *out is then unspecified.
Status ParseFooter(std::string_view bytes, uint64_t footer_offset, TableFooter* out,
                   std::vector<size_t>* checksum_fields) {
  ByteSource s(bytes);
  TableFooter& ft = *out;
  ft = TableFooter{};
  std::string_view name;
  uint64_t schema_version = 0, ncols = 0, nblocks = 0;
  if (!s.GetString(&name) || !s.GetVarint(&schema_version) || !s.GetVarint(&ft.rows) ||
      !s.GetVarint(&ncols) || ncols == 0 || ncols > kMaxColumns) {
    return Corrupt("footer is malformed");
  }
  ft.table = std::string(name);
  ft.schema_version = static_cast<uint32_t>(schema_version);
  for (uint64_t c = 0; c < ncols; ++c) {
    std::string_view cname;
    uint8_t type = 0;
    uint64_t ref = 0;
    if (!s.GetString(&cname) || cname.empty() || cname.size() > kMaxColumnName || !s.GetU8(&type) ||
        (type != static_cast<uint8_t>(ColumnType::kInt64) &&
         type != static_cast<uint8_t>(ColumnType::kString)) ||
        !s.GetVarint(&ref) || ref > c) {
      return Corrupt("footer column list is malformed");
    }
    FileColumn fc;
    fc.name = std::string(cname);
    fc.type = static_cast<ColumnType>(type);
    fc.ref = static_cast<int>(ref) - 1;
    if (fc.ref >= 0 && ft.columns[static_cast<size_t>(fc.ref)].type != ColumnType::kInt64) {
      return Corrupt("footer column list is malformed");
    }
    ft.columns.push_back(std::move(fc));
  }
  if (!s.GetVarint(&nblocks) || nblocks > ft.rows + 1) return Corrupt("footer block list is malformed");
  uint64_t row = 0;
  for (uint64_t b = 0; b < nblocks; ++b) {
    BlockInfo block;
    block.first_row = row;
    if (!s.GetVarint(&block.rows) || block.rows > kBlockRows || block.rows > ft.rows - row) {
      return Corrupt("footer block list is malformed");
    }
    row += block.rows;
    for (uint64_t c = 0; c < ncols; ++c) {
      ChunkInfo ch;
      uint8_t enc = 0, flags8 = 0;
      if (!s.GetU8(&enc) || !s.GetU8(&ch.codec) || !s.GetVarint(&ch.offset) ||
          !s.GetVarint(&ch.stored_length) || !s.GetVarint(&ch.raw_length)) {
        return Corrupt("footer chunk list is malformed");
      }
      const size_t checksum_at = bytes.size() - s.remaining();
      if (!s.GetFixed64(&ch.checksum) || !s.GetU8(&flags8)) return Corrupt("footer chunk list is malformed");
      if (!IsKnownEncoding(enc)) return Corrupt("a chunk has an unknown encoding");
      ch.encoding = static_cast<Encoding>(enc);
      const bool is_int = ft.columns[c].type == ColumnType::kInt64;
      if (is_int != IsIntEncoding(ch.encoding)) return Corrupt("a chunk's encoding does not suit its column");
      if (ch.codec > kCodecZstd || (ch.codec == kCodecStored && ch.raw_length != ch.stored_length) ||
          ch.raw_length > kMaxRawChunkBytes) {
        return Corrupt("column '" + ft.columns[c].name + "' has a chunk with a bad codec or size");
      }
      if (ch.offset < kHeaderBytes || ch.offset > footer_offset ||
          ch.stored_length > footer_offset - ch.offset) {
        return Corrupt("column '" + ft.columns[c].name + "' has a chunk outside the file");
      }
      if ((flags8 & ~(kStatInt | kStatString)) != 0) return Corrupt("footer chunk statistics are malformed");
      if (flags8 & kStatInt) {
        ch.stats.has_int = true;
        if (!s.GetZigZag(&ch.stats.min) || !s.GetZigZag(&ch.stats.max)) {
          return Corrupt("footer chunk statistics are malformed");
        }
      }
      if (flags8 & kStatString) {
        std::string_view lo, hi;
        if (!s.GetString(&lo) || !s.GetString(&hi)) return Corrupt("footer chunk statistics are malformed");
        ch.stats.has_string = true;
        ch.stats.smin = std::string(lo);
        ch.stats.smax = std::string(hi);
      }
      if (checksum_fields != nullptr) checksum_fields->push_back(checksum_at);
      block.chunks.push_back(std::move(ch));
    }
    ft.blocks.push_back(std::move(block));
  }
  if (row != ft.rows) return Corrupt("footer block rows do not add up to the row count");
  if (!s.done()) return Corrupt("footer has trailing bytes");
  return Status::Ok();
}

}  // namespace

int TableSchema::Find(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int TableFooter::Find(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status ValidateSchema(const TableSchema& schema) {
  if (schema.name.empty() || schema.name.size() > kMaxColumnName) {
    return Status::InvalidArgument("a table needs a name of 1 to 64 bytes");
  }
  if (schema.columns.empty() || schema.columns.size() > kMaxColumns) {
    return Status::InvalidArgument("table " + schema.name + " needs 1 to 255 columns");
  }
  std::set<std::string_view> names;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const ColumnSchema& c = schema.columns[i];
    if (c.name.empty() || c.name.size() > kMaxColumnName || !names.insert(c.name).second) {
      return Status::InvalidArgument("table " + schema.name + " has a bad or repeated column name '" +
                                     c.name + "'");
    }
    bool ref_hint = c.hint == EncodingHint::kVarintRefDelta || c.hint == EncodingHint::kVarintRefDiff;
    if (ref_hint) {
      int r = schema.Find(c.ref);
      if (r < 0 || static_cast<size_t>(r) >= i ||
          schema.columns[static_cast<size_t>(r)].type != ColumnType::kInt64) {
        return Status::InvalidArgument("column " + c.name + " of table " + schema.name +
                                       " must refer to an earlier integer column");
      }
    }
    bool int_hint = c.hint != EncodingHint::kUuid && c.hint != EncodingHint::kDictUuid;
    bool str_hint = c.hint == EncodingHint::kAuto || c.hint == EncodingHint::kPlain ||
                    c.hint == EncodingHint::kUuid || c.hint == EncodingHint::kDictUuid;
    if ((c.type == ColumnType::kInt64 && !int_hint) || (c.type == ColumnType::kString && !str_hint)) {
      return Status::InvalidArgument("column " + c.name + " of table " + schema.name +
                                     " has an encoding hint that does not suit its type");
    }
  }
  return Status::Ok();
}

// ----------------------------------------------------------------- builder

TableFileBuilder::TableFileBuilder(const TableSchema* schema)
    : schema_(schema),
      ints_(schema->columns.size()),
      strings_(schema->columns.size()),
      refs_(schema->columns.size(), -1) {
  for (size_t c = 0; c < schema->columns.size(); ++c) {
    const ColumnSchema& col = schema->columns[c];
    if (col.hint == EncodingHint::kVarintRefDelta || col.hint == EncodingHint::kVarintRefDiff) {
      refs_[c] = schema->Find(col.ref);
    }
  }
  ByteSink header;
  header.PutBytes(kTableMagic.data(), kTableMagic.size());
  header.PutFixed32(kTableFormatVersion);
  header.PutFixed32(0);  // flags
  body_ = header.Finish();
  char b[8];
  StoreFixed64(b, Checksum64(body_));
  body_.append(b, sizeof b);
}

size_t TableFileBuilder::rows() const {
  for (size_t c = 0; c < schema_->columns.size(); ++c) {
    if (schema_->columns[c].type == ColumnType::kInt64) return ints_[c].size();
    return strings_[c].size();
  }
  return 0;
}

Status TableFileBuilder::EncodeBlock(size_t start, size_t n) {
  const TableSchema& schema = *schema_;
  BlockInfo block;
  block.first_row = rows_flushed_ + start;
  block.rows = n;
  EncodedChunk chunk;
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    const ColumnSchema& col = schema.columns[c];
    if (col.type == ColumnType::kInt64) {
      std::span<const int64_t> rows(ints_[c].data() + start, n);
      std::span<const int64_t> ref;
      if (refs_[c] >= 0)
        ref = std::span<const int64_t>(ints_[static_cast<size_t>(refs_[c])].data() + start, n);
      EncodeIntChunk(rows, col.hint, ref, &chunk);
    } else {
      std::span<const std::string_view> rows(strings_[c].data() + start, n);
      EncodeStringChunk(rows, col.hint, col.string_stats, &chunk);
    }
    ChunkInfo info;
    info.encoding = chunk.encoding;
    info.raw_length = chunk.bytes.size();
    info.stats = std::move(chunk.stats);
    std::string_view stored = chunk.bytes;
    info.codec = kCodecStored;
    if (!chunk.bytes.empty()) {
      WS_RETURN_IF_ERROR(ZstdCompress(chunk.bytes, &compressed_));
      const size_t divisor =
          DecodesAtMemorySpeed(chunk.encoding) ? kMinSavingDivisorPacked : kMinSavingDivisor;
      if (compressed_.size() + chunk.bytes.size() / divisor <= chunk.bytes.size()) {
        stored = compressed_;
        info.codec = kCodecZstd;
      }
    }
    info.offset = body_.size();
    info.stored_length = stored.size();
    info.checksum = Checksum64(stored);
    body_.append(stored);
    block.chunks.push_back(std::move(info));
  }
  blocks_.push_back(std::move(block));
  return Status::Ok();
}

Status TableFileBuilder::FlushBlocks() {
  const TableSchema& schema = *schema_;
  const size_t ncols = schema.columns.size();
  const size_t nrows = rows();
  for (size_t c = 0; c < ncols; ++c) {
    const bool is_int = schema.columns[c].type == ColumnType::kInt64;
    size_t n = is_int ? ints_[c].size() : strings_[c].size();
    size_t other = is_int ? strings_[c].size() : ints_[c].size();
    if (n != nrows || other != 0) {
      return Status::InvalidArgument("table " + schema.name + ": column " + schema.columns[c].name + " has " +
                                     std::to_string(n) + " rows, expected " + std::to_string(nrows));
    }
  }
  for (size_t start = 0; start < nrows; start += kBlockRows) {
    WS_RETURN_IF_ERROR(EncodeBlock(start, std::min(kBlockRows, nrows - start)));
  }
  rows_flushed_ += nrows;
  for (auto& v : ints_) v.clear();
  for (auto& v : strings_) v.clear();
  return Status::Ok();
}

Result<std::string> TableFileBuilder::Finish() {
  const TableSchema& schema = *schema_;
  const size_t ncols = schema.columns.size();
  WS_RETURN_IF_ERROR(FlushBlocks());
  if (blocks_.empty()) WS_RETURN_IF_ERROR(EncodeBlock(0, 0));  // an empty table still has one block

  ByteSink f;
  f.PutString(schema.name);
  f.PutVarint(schema.version);
  f.PutVarint(rows_flushed_);
  f.PutVarint(ncols);
  for (size_t c = 0; c < ncols; ++c) {
    f.PutString(schema.columns[c].name);
    f.PutU8(static_cast<uint8_t>(schema.columns[c].type));
    f.PutVarint(static_cast<uint64_t>(refs_[c] + 1));
  }
  f.PutVarint(blocks_.size());
  for (const BlockInfo& b : blocks_) {
    f.PutVarint(b.rows);
    for (const ChunkInfo& ch : b.chunks) {
      f.PutU8(static_cast<uint8_t>(ch.encoding));
      f.PutU8(ch.codec);
      f.PutVarint(ch.offset);
      f.PutVarint(ch.stored_length);
      f.PutVarint(ch.raw_length);
      f.PutFixed64(ch.checksum);
      uint8_t flags = (ch.stats.has_int ? kStatInt : 0) | (ch.stats.has_string ? kStatString : 0);
      f.PutU8(flags);
      if (ch.stats.has_int) {
        f.PutZigZag(ch.stats.min);
        f.PutZigZag(ch.stats.max);
      }
      if (ch.stats.has_string) {
        f.PutString(ch.stats.smin);
        f.PutString(ch.stats.smax);
      }
    }
  }
  const uint64_t footer_offset = body_.size();
  f.PutFixed64(footer_offset);
  std::string footer = f.Finish();
  std::string body = std::move(body_);
  body.append(footer);
  char b[8];
  StoreFixed64(b, Checksum64(footer));
  body.append(b, sizeof b);
  body.append(kTableEndMagic2);
  blocks_.clear();
  rows_flushed_ = 0;
  body_.clear();
  return body;
}

// ------------------------------------------------------------------ reader

Result<std::shared_ptr<const TableFile>> TableFile::Open(Env* env, const std::string& path,
                                                         uint64_t expected_size) {
  auto t = std::make_shared<TableFile>(Passkey{});
  t->path_ = path;
  WS_ASSIGN_OR_RETURN(t->file_, env->NewRandomAccessFile(path));
  if (t->file_->size() != expected_size) {
    return Corrupt("corrupt store file " + path + ": it has " + std::to_string(t->file_->size()) +
                   " bytes, the manifest says " + std::to_string(expected_size) + " (truncated?)");
  }
  Status st = t->Parse(expected_size);
  if (!st.ok()) return Corrupt("corrupt store file " + path + ": " + st.message());
  return std::shared_ptr<const TableFile>(std::move(t));
}

Result<std::shared_ptr<const TableFile>> TableFile::FromImage(std::string image, const std::string& name) {
  auto t = std::make_shared<TableFile>(Passkey{});
  t->path_ = name;
  t->image_ = std::move(image);
  Status st = t->Parse(t->image_.size());
  if (!st.ok()) return Corrupt("corrupt store file " + name + ": " + st.message());
  return std::shared_ptr<const TableFile>(std::move(t));
}

Status TableFile::ReadBytes(uint64_t offset, size_t n, std::string* out) const {
  if (file_ == nullptr) {
    if (offset > image_.size() || n > image_.size() - offset) return Corrupt("read past the end of the file");
    out->assign(image_, static_cast<size_t>(offset), n);
    return Status::Ok();
  }
  return file_->Read(offset, n, out);
}

Status TableFile::Parse(uint64_t size) {
  if (size < kHeaderBytes + kTrailerBytes) return Corrupt("file is too short to be a table");
  std::string trailer;
  WS_RETURN_IF_ERROR(ReadBytes(size - kTrailerBytes, kTrailerBytes, &trailer));
  if (std::string_view(trailer).substr(kOffsetFieldBytes + kChecksumBytes) != kTableEndMagic2) {
    return Corrupt("end magic is wrong");
  }
  const uint64_t footer_offset = LoadFixed64(trailer.data());
  const uint64_t footer_sum = LoadFixed64(trailer.data() + kOffsetFieldBytes);
  if (footer_offset < kHeaderBytes || footer_offset > size - kTrailerBytes) {
    return Corrupt("footer offset is out of range");
  }
  std::string footer;
  // The footer bytes plus the offset field, which the checksum covers too.
  WS_RETURN_IF_ERROR(ReadBytes(
      footer_offset, static_cast<size_t>(size - kTrailerBytes - footer_offset + kOffsetFieldBytes), &footer));
  if (Checksum64(footer) != footer_sum) return Corrupt("footer checksum mismatch");
  std::string header;
  WS_RETURN_IF_ERROR(ReadBytes(0, kHeaderBytes, &header));
  if (std::string_view(header).substr(0, kTableMagic.size()) != kTableMagic) {
    return Corrupt("magic bytes are wrong (not a watchstats table file)");
  }
  if (Checksum64(header.data(), kHeaderChecksummed) != LoadFixed64(header.data() + kHeaderChecksummed)) {
    return Corrupt("header checksum mismatch");
  }
  ByteSource hs(std::string_view(header).substr(kTableMagic.size(), 8));
  uint32_t version = 0, flags = 0;
  if (!hs.GetFixed32(&version) || !hs.GetFixed32(&flags)) return Corrupt("header is malformed");
  if (version != kTableFormatVersion)
    return Corrupt("unsupported table format version " + std::to_string(version));

  const std::string_view footer_bytes(footer);
  if (LoadFixed64(footer_bytes.data() + footer_bytes.size() - kOffsetFieldBytes) != footer_offset) {
    return Corrupt("footer offset field does not match");
  }
  TableFooter ft;
  WS_RETURN_IF_ERROR(ParseFooter(footer_bytes.substr(0, footer_bytes.size() - kOffsetFieldBytes),
                                 footer_offset, &ft, nullptr));
  footer_ = std::move(ft);
  return Status::Ok();
}

void RepairChecksumsForTesting(std::string* image) {
  std::string& im = *image;
  if (im.size() < kHeaderBytes) return;
  StoreFixed64(im.data() + kHeaderChecksummed, Checksum64(im.data(), kHeaderChecksummed));
  if (im.size() < kHeaderBytes + kTrailerBytes) return;
  const size_t trailer = im.size() - kTrailerBytes;
  const uint64_t footer_offset = LoadFixed64(im.data() + trailer);
  if (footer_offset < kHeaderBytes || footer_offset > trailer) return;  // the reader rejects it
  const size_t footer_start = static_cast<size_t>(footer_offset);
  TableFooter ft;
  std::vector<size_t> fields;
  // A malformed footer keeps its chunk checksums; the reader rejects it.
  if (ParseFooter(std::string_view(im).substr(footer_start, trailer - footer_start), footer_offset, &ft,
                  &fields)
          .ok()) {
    size_t k = 0;
    for (const BlockInfo& b : ft.blocks) {
      for (const ChunkInfo& ch : b.chunks) {
        // ParseFooter checked that the chunk lies before the footer.
        const uint64_t sum = Checksum64(im.data() + ch.offset, static_cast<size_t>(ch.stored_length));
        StoreFixed64(im.data() + footer_start + fields[k++], sum);
      }
    }
  }
  StoreFixed64(im.data() + trailer + kOffsetFieldBytes,
               Checksum64(im.data() + footer_start, trailer - footer_start + kOffsetFieldBytes));
}

Status TableFile::ChunkError(size_t block, size_t col, const Status& cause) const {
  std::string column = col < footer_.columns.size() ? footer_.columns[col].name : std::to_string(col);
  return Corrupt("corrupt store file " + path_ + ": column '" + column + "', block " + std::to_string(block) +
                 ": " + cause.message());
}

Status TableFile::ReadChunk(size_t block, size_t col, std::string* out) const {
  if (block >= footer_.blocks.size() || col >= footer_.columns.size()) {
    return Status::InvalidArgument("no chunk " + std::to_string(block) + "/" + std::to_string(col) + " in " +
                                   path_);
  }
  const ChunkInfo& ch = footer_.blocks[block].chunks[col];
  std::string stored;
  Status st = ReadBytes(ch.offset, static_cast<size_t>(ch.stored_length), &stored);
  if (!st.ok()) return st.code() == StatusCode::kCorruption ? ChunkError(block, col, st) : st;
  if (Checksum64(stored) != ch.checksum) return ChunkError(block, col, Corrupt("checksum mismatch"));
  if (ch.codec == kCodecStored) {
    *out = std::move(stored);
    return Status::Ok();
  }
  st = ZstdDecompress(stored, static_cast<size_t>(ch.raw_length), out);
  if (!st.ok()) return ChunkError(block, col, st);
  return Status::Ok();
}

Status TableFile::ReadInt(size_t block, size_t col, IntColumn* out) const {
  if (col >= footer_.columns.size() || footer_.columns[col].type != ColumnType::kInt64) {
    return Status::InvalidArgument("column " + std::to_string(col) + " of " + path_ +
                                   " is not an integer column");
  }
  IntColumn ref;
  const int r = footer_.columns[col].ref;
  const ChunkInfo& ch = footer_.blocks.at(block).chunks[col];
  const bool needs_ref = ch.encoding == Encoding::kVarintRefDelta || ch.encoding == Encoding::kVarintRefDiff;
  if (needs_ref) {
    if (r < 0)
      return ChunkError(block, col, Corrupt("the chunk needs a reference column the file does not name"));
    WS_RETURN_IF_ERROR(ReadInt(block, static_cast<size_t>(r), &ref));
  }
  std::string raw;
  WS_RETURN_IF_ERROR(ReadChunk(block, col, &raw));
  Status st = DecodeIntChunk(ch.encoding, raw, static_cast<size_t>(footer_.blocks[block].rows),
                             needs_ref ? &ref : nullptr, out);
  if (!st.ok()) return ChunkError(block, col, st);
  return Status::Ok();
}

Status TableFile::ReadString(size_t block, size_t col, StringColumn* out) const {
  if (col >= footer_.columns.size() || footer_.columns[col].type != ColumnType::kString) {
    return Status::InvalidArgument("column " + std::to_string(col) + " of " + path_ +
                                   " is not a string column");
  }
  std::string raw;
  WS_RETURN_IF_ERROR(ReadChunk(block, col, &raw));
  const ChunkInfo& ch = footer_.blocks[block].chunks[col];
  Status st =
      DecodeStringChunk(ch.encoding, std::move(raw), static_cast<size_t>(footer_.blocks[block].rows), out);
  if (!st.ok()) return ChunkError(block, col, st);
  return Status::Ok();
}

}  // namespace ws::store
