// Table files of format v2 (docs/storage-format.md, section 3): rows split
// into blocks of up to kBlockRows, each column of each block a separately
// compressed and checksummed chunk with min/max statistics, and a
// self-describing footer (table name, columns, blocks).
//
// TableFileBuilder lays out a file image in memory; TableFile reads one on
// demand, chunk by chunk, so that a scan touches only the columns and blocks
// it needs.
//
// Thread safety: a TableFileBuilder is used by one thread. A TableFile is
// immutable after Open and safe to read from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/codec.h"
#include "store/column.h"
#include "util/env.h"
#include "util/status.h"

namespace ws::store {

inline constexpr std::string_view kTableMagic = "WSTABLE2";
inline constexpr std::string_view kTableEndMagic2 = "WSTBLND2";
inline constexpr uint32_t kTableFormatVersion = 2;
inline constexpr size_t kBlockRows = 65536;

struct ColumnSchema {
  std::string name;  // 1..64 bytes
  ColumnType type = ColumnType::kInt64;
  EncodingHint hint = EncodingHint::kAuto;
  std::string ref;  // the reference column of kVarintRef* hints (an earlier int column)
  // String columns: keep min/max per chunk (block skipping by value).
  // Integer columns always keep them.
  bool string_stats = false;
};

// The columns of a table, as its files record them.
struct TableSchema {
  std::string name;      // "events", "sessions", ...
  uint32_t version = 1;  // the table's own schema version
  std::vector<ColumnSchema> columns;
  // Index of column `name`, or -1.
  int Find(std::string_view name) const;
};

struct ChunkInfo {
  Encoding encoding = Encoding::kPlain;
  uint8_t codec = 0;  // 0 stored, 1 zstd
  uint64_t offset = 0;
  uint64_t stored_length = 0;
  uint64_t raw_length = 0;
  uint64_t checksum = 0;  // XXH3-64 of the stored bytes
  ChunkStats stats;
};

struct BlockInfo {
  uint64_t first_row = 0;
  uint64_t rows = 0;
  std::vector<ChunkInfo> chunks;  // one per column
};

struct FileColumn {
  std::string name;
  ColumnType type = ColumnType::kInt64;
  int ref = -1;  // index of the reference column, or -1
};

struct TableFooter {
  std::string table;
  uint32_t schema_version = 0;
  uint64_t rows = 0;
  std::vector<FileColumn> columns;
  std::vector<BlockInfo> blocks;
  int Find(std::string_view name) const;
};

// Builds one table file image. Rows are taken in the order given.
class TableFileBuilder {
 public:
  // Requires: the schema is valid (unique names, refs name earlier integer
  // columns) and outlives the builder.
  explicit TableFileBuilder(const TableSchema* schema);
  // The rows of column `col`. String views must stay valid until Finish.
  IntColumn& ints(size_t col) { return ints_[col]; }
  std::vector<std::string_view>& strings(size_t col) { return strings_[col]; }
  // Rows buffered (not yet flushed as blocks).
  size_t rows() const;
  // Rows flushed as blocks so far.
  uint64_t rows_flushed() const { return rows_flushed_; }
  // Encodes the buffered rows as blocks of up to kBlockRows and empties the
  // buffers (so that string views given so far may die). Chunks are
  // compressed with zstd level 1 when that saves at least 1/16.
  // Failure: kInvalidArgument when the columns have different lengths or a
  // column has the wrong type; kInternal when zstd fails.
  Status FlushBlocks();
  // Flushes and lays out the whole file. The builder must not be used
  // afterwards.
  Result<std::string> Finish();

 private:
  Status EncodeBlock(size_t start, size_t n);

  const TableSchema* schema_;
  std::vector<IntColumn> ints_;
  std::vector<std::vector<std::string_view>> strings_;
  std::vector<int> refs_;
  std::string body_;  // header and the blocks flushed so far
  std::vector<BlockInfo> blocks_;
  uint64_t rows_flushed_ = 0;
  std::string compressed_;  // scratch
};

// Verifies the structure of a table file schema. Failure: kInvalidArgument.
Status ValidateSchema(const TableSchema& schema);

// For fuzzers and tests only, never for stored files: rewrites every
// checksum TableFile checks — the header checksum, each chunk's checksum in
// the footer, the footer checksum — to match the bytes `image` holds, so
// that damaged bytes get past the checksums into the footer parser and the
// column decoders. The footer is parsed (as TableFile does) only to find the
// chunks; when it is malformed, or the trailer's footer offset is out of
// range, the chunk checksums are left as they are and the reader rejects
// the file anyway. Any image is accepted, of any size.
void RepairChecksumsForTesting(std::string* image);

class TableFile {
 public:
  // Opens `path` and reads its header, footer and trailer, checking the
  // magic bytes, version, checksums, that the size is `expected_size`, and
  // that every chunk lies inside the file. Chunks are read (and their
  // checksums checked) only when asked for. Failure: kCorruption with a
  // message naming the file.
  static Result<std::shared_ptr<const TableFile>> Open(Env* env, const std::string& path,
                                                       uint64_t expected_size);
  // The same over an in-memory image (tests, fuzzers).
  static Result<std::shared_ptr<const TableFile>> FromImage(std::string image, const std::string& name);

  const std::string& path() const { return path_; }
  const TableFooter& footer() const { return footer_; }
  uint64_t rows() const { return footer_.rows; }
  size_t block_count() const { return footer_.blocks.size(); }

  // Decodes column `col` of block `block`. Integer columns with a reference
  // decode the reference too. Failure: kCorruption naming the file, the
  // column and the block.
  Status ReadInt(size_t block, size_t col, IntColumn* out) const;
  Status ReadString(size_t block, size_t col, StringColumn* out) const;
  // The raw (decompressed, still encoded) bytes of a chunk.
  Status ReadChunk(size_t block, size_t col, std::string* out) const;

 private:
  // Restricts construction to Open/FromImage while allowing make_shared.
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  explicit TableFile(Passkey) {}

 private:
  Status Parse(uint64_t size);
  Status ReadBytes(uint64_t offset, size_t n, std::string* out) const;
  Status ChunkError(size_t block, size_t col, const Status& cause) const;

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;  // null for in-memory images
  std::string image_;                       // in-memory image
  TableFooter footer_;
};

}  // namespace ws::store
