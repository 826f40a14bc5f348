// Compaction (store/compaction.h).
#include "store/compaction.h"

#include <algorithm>
#include <queue>

#include "store/internal.h"

namespace ws::store {
namespace {

constexpr double kTierGrowth = 2.0;  // a file joins a tier while at most this times the tier's mean

uint64_t Bytes(const std::vector<FileMeta>& files) {
  uint64_t n = 0;
  for (const FileMeta& f : files) n += f.size;
  return n;
}

std::optional<CompactionJob> PickAppend(const std::string& table, int32_t p, std::vector<FileMeta> files,
                                        const CompactionPolicy& policy) {
  if (files.size() < policy.min_merge_files) return std::nullopt;
  std::sort(files.begin(), files.end(), [](const FileMeta& a, const FileMeta& b) {
    return a.size != b.size ? a.size < b.size : a.number < b.number;
  });
  size_t begin = 0;
  while (begin < files.size()) {
    size_t end = begin + 1;
    uint64_t sum = files[begin].size;
    while (end < files.size()) {
      const double mean = static_cast<double>(sum) / static_cast<double>(end - begin);
      const bool small = files[end].size <= policy.small_file_bytes;
      if (!small && static_cast<double>(files[end].size) > kTierGrowth * mean) break;
      if (sum + files[end].size > policy.max_merge_bytes) break;
      sum += files[end].size;
      ++end;
    }
    if (end - begin >= policy.min_merge_files) {
      CompactionJob job;
      job.table = table;
      job.partition = p;
      job.inputs.assign(files.begin() + static_cast<std::ptrdiff_t>(begin),
                        files.begin() + static_cast<std::ptrdiff_t>(end));
      std::sort(job.inputs.begin(), job.inputs.end(), [](const FileMeta& a, const FileMeta& b) {
        return a.seq != b.seq ? a.seq < b.seq : a.number < b.number;
      });
      return job;
    }
    begin = end;
  }
  return std::nullopt;
}

std::optional<CompactionJob> PickKeyed(const std::string& table, int32_t p,
                                       const std::vector<FileMeta>& files, const CompactionPolicy& policy) {
  if (files.size() < 2) return std::nullopt;
  CompactionJob job;
  job.table = table;
  job.partition = p;
  const bool has_base = files.front().base;
  std::vector<FileMeta> deltas(files.begin() + (has_base ? 1 : 0), files.end());
  const uint64_t delta_bytes = Bytes(deltas);
  if (!has_base ||
      static_cast<double>(delta_bytes) >= policy.base_ratio * static_cast<double>(files.front().size)) {
    job.inputs = files;
    job.to_base = true;
    return job;
  }
  if (deltas.size() > policy.max_deltas) {
    job.inputs = deltas;
    job.to_base = false;
    return job;
  }
  return std::nullopt;
}

// One input file being merged, a block at a time.
struct Cursor {
  std::shared_ptr<const TableFile> file;
  std::vector<int> columns;  // file column of each output column
  const std::vector<std::optional<std::vector<uint32_t>>>* live = nullptr;  // per block, or null: all live
  size_t block = 0;
  size_t pos = 0;
  size_t n = 0;  // live rows of the current block
  const std::vector<uint32_t>* sel = nullptr;
  std::vector<IntColumn> ints;
  std::vector<StringColumn> strings;
  bool done = false;

  uint32_t row() const { return sel != nullptr ? (*sel)[pos] : static_cast<uint32_t>(pos); }
};

Status LoadBlock(const TableDef& def, Cursor* c) {
  while (c->block < c->file->block_count()) {
    const BlockInfo& info = c->file->footer().blocks[c->block];
    c->sel = nullptr;
    c->n = static_cast<size_t>(info.rows);
    if (c->live != nullptr && (*c->live)[c->block].has_value()) {
      c->sel = &*(*c->live)[c->block];
      c->n = c->sel->size();
    }
    if (c->n > 0) {
      for (size_t k = 0; k < def.schema.columns.size(); ++k) {
        const size_t fc = static_cast<size_t>(c->columns[k]);
        if (def.schema.columns[k].type == ColumnType::kInt64) {
          WS_RETURN_IF_ERROR(c->file->ReadInt(c->block, fc, &c->ints[k]));
        } else {
          WS_RETURN_IF_ERROR(c->file->ReadString(c->block, fc, &c->strings[k]));
        }
      }
      c->pos = 0;
      return Status::Ok();
    }
    ++c->block;
  }
  c->done = true;
  return Status::Ok();
}

Status Advance(const TableDef& def, Cursor* c) {
  if (++c->pos < c->n) return Status::Ok();
  ++c->block;
  return LoadBlock(def, c);
}

}  // namespace

std::optional<CompactionJob> PickCompaction(const Snapshot& snap,
                                            const std::map<std::string, TableDef, std::less<>>& defs,
                                            const CompactionPolicy& policy) {
  for (const auto& [name, def] : defs) {
    for (int32_t p : snap.Partitions(name)) {
      std::vector<FileMeta> files = snap.Files(name, p);
      std::optional<CompactionJob> job =
          def.keyed() ? PickKeyed(name, p, files, policy) : PickAppend(name, p, std::move(files), policy);
      if (job) return job;
    }
  }
  return std::nullopt;
}

Result<std::string> RunCompaction(Env* env, const std::string& dir, const TableDef& def,
                                  const CompactionJob& job, const std::atomic<bool>& stop) {
  std::vector<std::shared_ptr<const TableFile>> files;
  for (const FileMeta& f : job.inputs) {
    WS_ASSIGN_OR_RETURN(std::shared_ptr<const TableFile> tf,
                        TableFile::Open(env, internal::FilePath(dir, def.name(), def.partitions, f), f.size));
    files.push_back(std::move(tf));
  }
  std::vector<std::vector<std::optional<std::vector<uint32_t>>>> live;
  if (def.keyed())
    WS_RETURN_IF_ERROR(internal::ComputeLiveness(files, /*keep_tombstones=*/!job.to_base, &live));

  const size_t ncols = def.schema.columns.size();
  std::vector<Cursor> cursors(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    Cursor& c = cursors[i];
    c.file = files[i];
    c.live = def.keyed() ? &live[i] : nullptr;
    c.ints.resize(ncols);
    c.strings.resize(ncols);
    for (const ColumnSchema& col : def.schema.columns) {
      int fc = c.file->footer().Find(col.name);
      if (fc < 0 || c.file->footer().columns[static_cast<size_t>(fc)].type != col.type) {
        return Status::Corruption("store file " + c.file->path() + " lacks column '" + col.name +
                                  "' of table " + def.name());
      }
      c.columns.push_back(fc);
    }
    WS_RETURN_IF_ERROR(LoadBlock(def, &c));
  }

  // Cursor a's current row sorts after b's (for the min-heap); ties go to
  // the older input, so the merge is stable.
  auto after = [&](size_t a, size_t b) {
    const Cursor& x = cursors[a];
    const Cursor& y = cursors[b];
    const uint32_t rx = x.row();
    const uint32_t ry = y.row();
    for (int sc : def.sort_columns) {
      const size_t k = static_cast<size_t>(sc);
      if (def.schema.columns[k].type == ColumnType::kInt64) {
        int64_t vx = x.ints[k][rx], vy = y.ints[k][ry];
        if (vx != vy) return vx > vy;
      } else {
        int cmp = x.strings[k].at(rx).compare(y.strings[k].at(ry));
        if (cmp != 0) return cmp > 0;
      }
    }
    return a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(after)> heap(after);
  for (size_t i = 0; i < cursors.size(); ++i) {
    if (!cursors[i].done) heap.push(i);
  }

  TableFileBuilder out(&def.schema);
  StringArena arena;  // the output block's strings, until it is flushed
  while (!heap.empty()) {
    const size_t i = heap.top();
    heap.pop();
    Cursor& c = cursors[i];
    const uint32_t r = c.row();
    for (size_t k = 0; k < ncols; ++k) {
      if (def.schema.columns[k].type == ColumnType::kInt64) {
        out.ints(k).push_back(c.ints[k][r]);
      } else {
        out.strings(k).push_back(arena.Copy(c.strings[k].at(r)));
      }
    }
    if (out.rows() >= kBlockRows) {
      if (stop.load()) return Status::FailedPrecondition("compaction stopped: the store is closing");
      WS_RETURN_IF_ERROR(out.FlushBlocks());
      arena.Clear();
    }
    WS_RETURN_IF_ERROR(Advance(def, &c));
    if (!c.done) heap.push(i);
  }
  return out.Finish();
}

}  // namespace ws::store
