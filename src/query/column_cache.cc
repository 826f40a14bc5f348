#include "query/column_cache.h"

#include <set>

namespace ws::query {
namespace {

constexpr char kSep = '\x1f';

// File numbers are unique in a store and never reused.
std::string CacheKey(uint64_t file_number, uint32_t block, const std::string& column) {
  std::string key = std::to_string(file_number);
  key.push_back(kSep);
  key.append(std::to_string(block));
  key.push_back(kSep);
  key.append(column);
  return key;
}

}  // namespace

Result<std::shared_ptr<const store::IntColumn>> ColumnCache::Get(const store::PartitionReader& reader,
                                                                 size_t i, const std::string& column) {
  const store::BlockRef& ref = reader.block(i);
  const std::string key = CacheKey(reader.files()[ref.file].number, ref.block, column);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      ++hits_;
      return it->second;
    }
  }
  // Decode outside the lock; two threads may decode the same block once each.
  store::ColumnBatch batch;
  WS_RETURN_IF_ERROR(
      store::ReadBlockColumns(reader.file_of(i), reader.block(i).block, {column}, nullptr, &batch));
  auto col = std::make_shared<store::IntColumn>(std::move(batch.mutable_ints(0)));
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = map_.emplace(key, col);
  if (fresh) {
    ++misses_;
    bytes_ += col->size() * sizeof(int64_t);
  }
  return it->second;
}

void ColumnCache::Retain(const store::Snapshot& snap) {
  std::set<std::string> live;
  for (const store::ManifestTable& t : snap.manifest().tables) {
    for (const store::FileMeta& f : t.files) live.insert(std::to_string(f.number));
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = map_.begin(); it != map_.end();) {
    const std::string path = it->first.substr(0, it->first.find(kSep));
    if (live.count(path) == 0) {
      bytes_ -= it->second->size() * sizeof(int64_t);
      it = map_.erase(it);
    } else {
      ++it;
    }
  }
}

uint64_t ColumnCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}
uint64_t ColumnCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}
uint64_t ColumnCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

}  // namespace ws::query
