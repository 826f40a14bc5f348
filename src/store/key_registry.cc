// The key registry (store/key_registry.h).
#include "store/key_registry.h"

#include <cstdio>
#include <cstdlib>

namespace ws::store {

KeyDictionary::KeyDictionary(std::string name) : name_(std::move(name)) {}
KeyDictionary::~KeyDictionary() = default;

void KeyDictionary::Locate(uint32_t index, int* chunk, size_t* offset) {
  // Chunk c starts at index 2^kFirstChunkBits * (2^c - 1).
  const uint64_t v = (uint64_t{index} >> kFirstChunkBits) + 1;
  const int c = 63 - __builtin_clzll(v);
  *chunk = c;
  *offset =
      static_cast<size_t>(uint64_t{index} - ((uint64_t{1} << kFirstChunkBits) * ((uint64_t{1} << c) - 1)));
}

void KeyDictionary::Append(std::string_view stored) {
  const uint32_t index = size_.load(std::memory_order_relaxed);
  if (index == UINT32_MAX) {
    std::fprintf(stderr, "watchstats: the key dictionary %s is full (2^32 keys)\n", name_.c_str());
    std::abort();
  }
  int c = 0;
  size_t off = 0;
  Locate(index, &c, &off);
  if (owned_[static_cast<size_t>(c)] == nullptr) {
    owned_[static_cast<size_t>(c)] = std::make_unique<std::string_view[]>(size_t{1} << (c + kFirstChunkBits));
    chunks_[static_cast<size_t>(c)].store(owned_[static_cast<size_t>(c)].get(), std::memory_order_release);
  }
  owned_[static_cast<size_t>(c)][off] = stored;
  index_.emplace(stored, index + 1);
  size_.store(index + 1, std::memory_order_release);
}

uint32_t KeyDictionary::Intern(std::string_view value) {
  if (value.empty()) return kNoKey;
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    auto it = index_.find(value);
    if (it != index_.end()) return it->second;
  }
  std::unique_lock<std::shared_mutex> l(mu_);
  auto it = index_.find(value);
  if (it != index_.end()) return it->second;
  Append(arena_.Copy(value));
  return size_.load(std::memory_order_relaxed);
}

std::optional<uint32_t> KeyDictionary::Find(std::string_view value) const {
  if (value.empty()) return std::nullopt;
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = index_.find(value);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::string_view KeyDictionary::Name(uint32_t key) const {
  if (key == kNoKey || key > size()) return {};
  int c = 0;
  size_t off = 0;
  Locate(key - 1, &c, &off);
  const std::string_view* chunk = chunks_[static_cast<size_t>(c)].load(std::memory_order_acquire);
  return chunk[off];
}

Status KeyDictionary::Load(uint32_t key, std::string_view value) {
  std::unique_lock<std::shared_mutex> l(mu_);
  const uint32_t n = size_.load(std::memory_order_relaxed);
  if (key != n + 1) {
    return Status::Corruption("key dictionary " + name_ + " jumps from key " + std::to_string(n) + " to " +
                              std::to_string(key));
  }
  if (value.empty() || index_.count(value) != 0) {
    return Status::Corruption("key dictionary " + name_ + " holds an empty or repeated value at key " +
                              std::to_string(key));
  }
  Append(arena_.Copy(value));
  persisted_ = key;
  return Status::Ok();
}

size_t KeyDictionary::bytes() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  constexpr size_t kNodeOverhead = 32;  // unordered_map node and bucket, approximately
  size_t n =
      arena_.bytes_reserved() + index_.size() * (sizeof(std::string_view) + sizeof(uint32_t) + kNodeOverhead);
  for (size_t c = 0; c < owned_.size(); ++c) {
    if (owned_[c] != nullptr) n += (size_t{1} << (c + kFirstChunkBits)) * sizeof(std::string_view);
  }
  return n;
}

KeyRegistry::KeyRegistry() = default;
KeyRegistry::~KeyRegistry() = default;

KeyDictionary& KeyRegistry::Dictionary(std::string_view name) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = dicts_.find(name);
  if (it != dicts_.end()) return *it->second;
  auto d = std::make_unique<KeyDictionary>(std::string(name));
  KeyDictionary& ref = *d;
  dicts_.emplace(std::string(name), std::move(d));
  return ref;
}

const KeyDictionary* KeyRegistry::Find(std::string_view name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = dicts_.find(name);
  return it == dicts_.end() ? nullptr : it->second.get();
}

std::vector<const KeyDictionary*> KeyRegistry::All() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<const KeyDictionary*> out;
  for (const auto& [name, d] : dicts_) out.push_back(d.get());
  return out;
}

std::vector<KeyDictionary*> KeyRegistry::AllMutable() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<KeyDictionary*> out;
  for (auto& [name, d] : dicts_) out.push_back(d.get());
  return out;
}

}  // namespace ws::store
