// Snapshots, partition readers, liveness of keyed rows, and the table
// writer (store/store.h).
#include <xxhash.h>

#include <algorithm>
#include <numeric>
#include <unordered_set>

#include "store/internal.h"
#include "util/fast_equal.h"

namespace ws::store {

using internal::FileCache;
using internal::TableIndex;

// ------------------------------------------------------------------ internal

namespace internal {

std::string FilePath(const std::string& dir, std::string_view table, PartitionKind kind, const FileMeta& f) {
  return JoinPath(dir, TableFilePath(table, kind, f));
}

namespace {

const char* TypeName(ColumnType t) { return t == ColumnType::kInt64 ? "integer" : "string"; }

}  // namespace

Result<std::shared_ptr<const TableFile>> FileCache::Get(std::string_view table,
                                                        const std::string& relative_path, const FileMeta& f) {
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(f.number);
    if (it != files_.end()) {
      if (auto sp = it->second.lock()) return sp;
    }
  }
  Result<std::shared_ptr<const TableFile>> opened =
      TableFile::Open(env_, JoinPath(dir_, relative_path), f.size);
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kNotFound) {
      return Status::Corruption("store file " + JoinPath(dir_, relative_path) +
                                " is missing although the manifest lists it");
    }
    return opened.status();
  }
  if (auto schema = schemas_.find(table); schema != schemas_.end()) {
    for (const FileColumn& c : (*opened)->footer().columns) {
      const int i = schema->second.Find(c.name);
      if (i < 0) continue;
      const ColumnType want = schema->second.columns[static_cast<size_t>(i)].type;
      if (c.type != want) {
        return Status::Corruption("corrupt store file " + JoinPath(dir_, relative_path) + ": column '" +
                                  c.name + "' is a " + TypeName(c.type) + " column, table " +
                                  std::string(table) + " defines it as a " + TypeName(want) + " column");
      }
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  auto& slot = files_[f.number];
  if (auto sp = slot.lock()) return sp;
  slot = *opened;
  // Forget expired entries now and then so the map does not grow forever.
  constexpr size_t kSweepEvery = 1024;
  if (files_.size() % kSweepEvery == 0) {
    for (auto it = files_.begin(); it != files_.end();) {
      it = it->second.expired() ? files_.erase(it) : std::next(it);
    }
  }
  return *opened;
}

std::map<std::string, TableIndex, std::less<>> IndexManifest(const Manifest& m) {
  std::map<std::string, TableIndex, std::less<>> out;
  for (const ManifestTable& t : m.tables) {
    TableIndex& idx = out[t.name];
    idx.mode = t.mode;
    idx.kind = t.partitions;
    for (const FileMeta& f : t.files) idx.partitions[f.partition].push_back(f);
    for (auto& [p, files] : idx.partitions) {
      std::sort(files.begin(), files.end(), [](const FileMeta& a, const FileMeta& b) {
        return a.seq != b.seq ? a.seq < b.seq : a.number < b.number;
      });
    }
  }
  return out;
}

namespace {

struct Key128 {
  uint64_t lo;
  uint64_t hi;
  bool operator==(const Key128&) const = default;
};
struct Key128Hash {
  size_t operator()(const Key128& k) const { return static_cast<size_t>(k.lo); }
};

}  // namespace

Status ComputeLiveness(const std::vector<std::shared_ptr<const TableFile>>& files, bool keep_tombstones,
                       std::vector<std::vector<std::optional<std::vector<uint32_t>>>>* out) {
  out->assign(files.size(), {});
  std::unordered_set<Key128, Key128Hash> newer;
  IntColumn lo, hi, tomb;
  for (size_t fi = files.size(); fi-- > 0;) {
    const TableFile& f = *files[fi];
    const int clo = f.footer().Find(kKeyHashLo);
    const int chi = f.footer().Find(kKeyHashHi);
    const int ctomb = f.footer().Find(kTombstone);
    if (clo < 0 || chi < 0 || ctomb < 0) {
      return Status::Corruption("corrupt store file " + f.path() +
                                ": a keyed table file lacks its key columns");
    }
    (*out)[fi].resize(f.block_count());
    std::vector<Key128> mine;
    for (size_t b = 0; b < f.block_count(); ++b) {
      WS_RETURN_IF_ERROR(f.ReadInt(b, static_cast<size_t>(clo), &lo));
      WS_RETURN_IF_ERROR(f.ReadInt(b, static_cast<size_t>(chi), &hi));
      WS_RETURN_IF_ERROR(f.ReadInt(b, static_cast<size_t>(ctomb), &tomb));
      const size_t n = lo.size();
      std::vector<uint32_t> live;
      bool all = true;
      for (size_t r = 0; r < n; ++r) {
        Key128 k{static_cast<uint64_t>(lo[r]), static_cast<uint64_t>(hi[r])};
        bool hidden = (!newer.empty() && newer.count(k) > 0) || (tomb[r] != 0 && !keep_tombstones);
        if (hidden) {
          if (all) {
            live.reserve(n);
            for (size_t q = 0; q < r; ++q) live.push_back(static_cast<uint32_t>(q));
            all = false;
          }
        } else if (!all) {
          live.push_back(static_cast<uint32_t>(r));
        }
        if (fi > 0) mine.push_back(k);
      }
      if (!all) (*out)[fi][b] = std::move(live);
    }
    newer.insert(mine.begin(), mine.end());
  }
  return Status::Ok();
}

std::vector<uint32_t> SortPermutation(const TableDef& def, TableFileBuilder* builder) {
  const size_t n = builder->rows();
  if (def.sort_columns.empty() || n < 2) return {};
  auto less = [&](uint32_t a, uint32_t b) {
    for (int c : def.sort_columns) {
      const size_t col = static_cast<size_t>(c);
      if (def.schema.columns[col].type == ColumnType::kInt64) {
        const IntColumn& v = builder->ints(col);
        if (v[a] != v[b]) return v[a] < v[b];
      } else {
        const auto& v = builder->strings(col);
        if (FastEqual(v[a], v[b])) continue;
        return v[a] < v[b];
      }
    }
    return false;
  };
  bool sorted = true;
  for (uint32_t i = 1; i < n && sorted; ++i) sorted = !less(i, i - 1);
  if (sorted) return {};
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), less);
  return perm;
}

}  // namespace internal

// --------------------------------------------------------------- TableWriter

TableWriter::TableWriter(const TableDef* def) : def_(def), builder_(&def->schema) {}

void TableWriter::AddTombstone(std::string_view key) { tombstones_.push_back(key); }

Status TableWriter::FlushSorted() {
  const TableSchema& schema = def_->schema;
  if (def_->keyed() || !tombstones_.empty()) {
    return Status::InvalidArgument("table " + schema.name + " is keyed: its rows are sorted at Finish only");
  }
  const size_t n = builder_.rows();
  if (n == 0) return Status::Ok();
  if (!internal::SortPermutation(*def_, &builder_).empty()) {
    return Status::InvalidArgument("rows handed to table " + schema.name +
                                   " in pieces are not in sort order");
  }
  // The first buffered row must not sort before the last one flushed.
  if (streamed_) {
    size_t ki = 0;
    size_t ks = 0;
    for (int c : def_->sort_columns) {
      const size_t col = static_cast<size_t>(c);
      int cmp = 0;
      if (schema.columns[col].type == ColumnType::kInt64) {
        const int64_t first = builder_.ints(col).front();
        const int64_t last = last_ints_[ki++];
        cmp = first < last ? -1 : (first > last ? 1 : 0);
      } else {
        cmp = builder_.strings(col).front().compare(last_strings_[ks++]);
      }
      if (cmp < 0) {
        return Status::InvalidArgument("rows handed to table " + schema.name +
                                       " in pieces are not in sort order");
      }
      if (cmp > 0) break;
    }
  }
  last_ints_.clear();
  last_strings_.clear();
  for (int c : def_->sort_columns) {
    const size_t col = static_cast<size_t>(c);
    if (schema.columns[col].type == ColumnType::kInt64) {
      last_ints_.push_back(builder_.ints(col)[n - 1]);
    } else {
      last_strings_.emplace_back(builder_.strings(col)[n - 1]);
    }
  }
  streamed_ = true;
  return builder_.FlushBlocks();
}

Result<NewFile> TableWriter::Finish(int32_t partition) {
  const TableSchema& schema = def_->schema;
  if (streamed_) {
    WS_RETURN_IF_ERROR(FlushSorted());
    return Seal(partition, builder_.rows_flushed());
  }
  size_t n = builder_.rows();
  if (!tombstones_.empty()) {
    if (!def_->keyed()) return Status::InvalidArgument("table " + schema.name + " has no keys to delete");
    for (std::string_view key : tombstones_) {
      for (size_t c = 0; c < schema.columns.size(); ++c) {
        if (static_cast<int>(c) == def_->key_hash_lo || static_cast<int>(c) == def_->key_hash_hi ||
            static_cast<int>(c) == def_->tombstone) {
          continue;
        }
        if (static_cast<int>(c) == def_->key_index) {
          builder_.strings(c).push_back(key);
        } else if (schema.columns[c].type == ColumnType::kInt64) {
          builder_.ints(c).push_back(0);
        } else {
          builder_.strings(c).push_back({});
        }
      }
    }
  }
  if (def_->keyed()) {
    const auto& keys = builder_.strings(static_cast<size_t>(def_->key_index));
    n = keys.size();
    IntColumn& lo = builder_.ints(static_cast<size_t>(def_->key_hash_lo));
    IntColumn& hi = builder_.ints(static_cast<size_t>(def_->key_hash_hi));
    IntColumn& tomb = builder_.ints(static_cast<size_t>(def_->tombstone));
    lo.resize(n);
    hi.resize(n);
    tomb.assign(n, 0);
    for (size_t r = 0; r < n; ++r) {
      XXH128_hash_t h = XXH3_128bits(keys[r].data(), keys[r].size());
      lo[r] = static_cast<int64_t>(h.low64);
      hi[r] = static_cast<int64_t>(h.high64);
    }
    for (size_t r = n - tombstones_.size(); r < n; ++r) tomb[r] = 1;
    std::vector<std::pair<int64_t, int64_t>> seen(n);
    for (size_t r = 0; r < n; ++r) seen[r] = {lo[r], hi[r]};
    std::sort(seen.begin(), seen.end());
    if (std::adjacent_find(seen.begin(), seen.end()) != seen.end()) {
      return Status::InvalidArgument("a file of table " + schema.name + " names one key twice");
    }
  }
  tombstones_.clear();
  std::vector<uint32_t> perm = internal::SortPermutation(*def_, &builder_);
  if (!perm.empty()) {
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      if (schema.columns[c].type == ColumnType::kInt64) {
        IntColumn& v = builder_.ints(c);
        IntColumn sorted(v.size());
        for (size_t i = 0; i < perm.size(); ++i) sorted[i] = v[perm[i]];
        v = std::move(sorted);
      } else {
        auto& v = builder_.strings(c);
        std::vector<std::string_view> sorted(v.size());
        for (size_t i = 0; i < perm.size(); ++i) sorted[i] = v[perm[i]];
        v = std::move(sorted);
      }
    }
  }
  return Seal(partition, builder_.rows());
}

Result<NewFile> TableWriter::Seal(int32_t partition, uint64_t rows) {
  WS_ASSIGN_OR_RETURN(std::string image, builder_.Finish());
  NewFile f;
  f.table = def_->schema.name;
  f.partition = partition;
  f.image = std::move(image);
  f.rows = rows;
  return f;
}

// --------------------------------------------------------------- ColumnBatch

void ColumnBatch::Reset(size_t columns, size_t rows, const std::vector<uint32_t>* selection) {
  rows_ = rows;
  selection_ = selection;
  if (ints_.size() < columns) ints_.resize(columns);
  if (strings_.size() < columns) strings_.resize(columns);
}

// ----------------------------------------------------------- PartitionReader

struct PartitionReader::Data {
  std::string table;
  int32_t partition = 0;
  std::vector<FileMeta> files;
  std::vector<std::shared_ptr<const TableFile>> open;
  std::vector<BlockRef> blocks;
  std::vector<std::optional<std::vector<uint32_t>>> live;  // per block
  uint64_t live_rows = 0;
};

PartitionReader::PartitionReader(std::unique_ptr<Data> data) : d_(std::move(data)) {}
PartitionReader::~PartitionReader() = default;
const std::string& PartitionReader::table() const { return d_->table; }
int32_t PartitionReader::partition() const { return d_->partition; }
const std::vector<FileMeta>& PartitionReader::files() const { return d_->files; }
size_t PartitionReader::block_count() const { return d_->blocks.size(); }
const BlockRef& PartitionReader::block(size_t i) const { return d_->blocks[i]; }
uint64_t PartitionReader::live_rows() const { return d_->live_rows; }
const TableFile& PartitionReader::file_of(size_t i) const { return *d_->open[d_->blocks[i].file]; }

const ChunkStats* PartitionReader::stats(size_t i, std::string_view column) const {
  const BlockRef& b = d_->blocks[i];
  const TableFile& f = *d_->open[b.file];
  int c = f.footer().Find(column);
  if (c < 0) return nullptr;
  const ChunkStats& s = f.footer().blocks[b.block].chunks[static_cast<size_t>(c)].stats;
  return (s.has_int || s.has_string) ? &s : nullptr;
}

Status ReadBlockColumns(const TableFile& f, size_t block, const std::vector<std::string>& columns,
                        const std::vector<uint32_t>* selection, ColumnBatch* out) {
  if (block >= f.block_count()) {
    return Status::InvalidArgument("store file " + f.path() + " has no block " + std::to_string(block));
  }
  out->Reset(columns.size(), static_cast<size_t>(f.footer().blocks[block].rows), selection);
  for (size_t k = 0; k < columns.size(); ++k) {
    int c = f.footer().Find(columns[k]);
    if (c < 0) {
      return Status::InvalidArgument("store file " + f.path() + " has no column '" + columns[k] + "'");
    }
    if (f.footer().columns[static_cast<size_t>(c)].type == ColumnType::kInt64) {
      WS_RETURN_IF_ERROR(f.ReadInt(block, static_cast<size_t>(c), &out->mutable_ints(k)));
    } else {
      WS_RETURN_IF_ERROR(f.ReadString(block, static_cast<size_t>(c), &out->mutable_strings(k)));
    }
  }
  return Status::Ok();
}

const std::vector<uint32_t>* PartitionReader::live(size_t i) const {
  const auto& live = d_->live[i];
  return live.has_value() ? &*live : nullptr;
}

Status PartitionReader::Read(size_t i, const std::vector<std::string>& columns, ColumnBatch* out) const {
  const BlockRef& b = d_->blocks[i];
  const auto& live = d_->live[i];
  return ReadBlockColumns(*d_->open[b.file], b.block, columns, live.has_value() ? &*live : nullptr, out);
}

// ------------------------------------------------------------------ Snapshot

struct Snapshot::Data {
  Env* env = nullptr;
  std::string dir;
  Manifest manifest;
  uint64_t manifest_bytes = 0;
  std::unique_ptr<FileLock> pin;
  std::shared_ptr<FileCache> cache;
  std::map<std::string, TableIndex, std::less<>> index;
  mutable std::mutex mu;  // guards readers
  mutable std::map<std::pair<std::string, int32_t>, std::shared_ptr<const PartitionReader>> readers;
};

Snapshot::Snapshot(std::unique_ptr<Data> data) : d_(std::move(data)) {}
Snapshot::~Snapshot() = default;
uint64_t Snapshot::manifest_number() const { return d_->manifest.number; }
const Manifest& Snapshot::manifest() const { return d_->manifest; }
const std::string& Snapshot::app_state() const { return d_->manifest.app_state; }
uint64_t Snapshot::log_covered_seq() const { return d_->manifest.log_covered_seq; }

std::vector<int32_t> Snapshot::Partitions(std::string_view table) const {
  std::vector<int32_t> out;
  auto it = d_->index.find(table);
  if (it == d_->index.end()) return out;
  for (const auto& [p, files] : it->second.partitions) out.push_back(p);
  return out;
}

std::vector<FileMeta> Snapshot::Files(std::string_view table, int32_t partition) const {
  auto it = d_->index.find(table);
  if (it == d_->index.end()) return {};
  auto p = it->second.partitions.find(partition);
  return p == it->second.partitions.end() ? std::vector<FileMeta>{} : p->second;
}

Result<std::shared_ptr<const PartitionReader>> Snapshot::Partition(std::string_view table,
                                                                   int32_t partition) const {
  std::lock_guard<std::mutex> l(d_->mu);
  auto key = std::make_pair(std::string(table), partition);
  if (auto it = d_->readers.find(key); it != d_->readers.end()) return it->second;
  auto data = std::make_unique<PartitionReader::Data>();
  data->table = std::string(table);
  data->partition = partition;
  auto ti = d_->index.find(table);
  if (ti != d_->index.end()) {
    if (auto p = ti->second.partitions.find(partition); p != ti->second.partitions.end())
      data->files = p->second;
  }
  for (const FileMeta& f : data->files) {
    WS_ASSIGN_OR_RETURN(std::shared_ptr<const TableFile> tf,
                        d_->cache->Get(table, TableFilePath(table, ti->second.kind, f), f));
    data->open.push_back(std::move(tf));
  }
  std::vector<std::vector<std::optional<std::vector<uint32_t>>>> live;
  const bool keyed = ti != d_->index.end() && ti->second.mode == TableMode::kKeyed;
  const bool needs_liveness =
      keyed && (data->files.size() > 1 || (data->files.size() == 1 && !data->files[0].base));
  if (needs_liveness)
    WS_RETURN_IF_ERROR(internal::ComputeLiveness(data->open, /*keep_tombstones=*/false, &live));
  for (size_t fi = 0; fi < data->open.size(); ++fi) {
    const TableFile& f = *data->open[fi];
    for (size_t b = 0; b < f.block_count(); ++b) {
      BlockRef ref;
      ref.file = static_cast<uint32_t>(fi);
      ref.block = static_cast<uint32_t>(b);
      ref.rows = f.footer().blocks[b].rows;
      data->blocks.push_back(ref);
      if (needs_liveness && live[fi][b].has_value()) {
        data->live_rows += live[fi][b]->size();
        data->live.push_back(std::move(live[fi][b]));
      } else {
        data->live_rows += ref.rows;
        data->live.emplace_back(std::nullopt);
      }
    }
  }
  auto reader = std::make_shared<const PartitionReader>(std::move(data));
  d_->readers[key] = reader;
  return reader;
}

std::map<std::string, uint64_t> Snapshot::DiskUsage() const {
  std::map<std::string, uint64_t> out;
  for (const ManifestTable& t : d_->manifest.tables) {
    uint64_t& n = out[t.name];
    for (const FileMeta& f : t.files) n += f.size;
  }
  out["manifest"] = d_->manifest_bytes;
  return out;
}

namespace internal {

std::shared_ptr<const Snapshot> MakeSnapshot(Env* env, std::string dir, Manifest m, uint64_t manifest_bytes,
                                             std::unique_ptr<FileLock> pin,
                                             std::shared_ptr<FileCache> cache) {
  auto d = std::make_unique<Snapshot::Data>();
  d->env = env;
  d->dir = std::move(dir);
  d->index = IndexManifest(m);
  d->manifest = std::move(m);
  d->manifest_bytes = manifest_bytes;
  d->pin = std::move(pin);
  d->cache = std::move(cache);
  return std::make_shared<const Snapshot>(std::move(d));
}

}  // namespace internal

}  // namespace ws::store
