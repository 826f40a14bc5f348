// The key registry (store/key_registry.h).
#include "store/key_registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "util/checksum.h"

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

namespace {
constexpr int kFragmentShift = 32;
constexpr uint64_t kKeyMask = 0xFFFFFFFFULL;
constexpr size_t kFirstSlots = 1024;
uint64_t Hash(std::string_view v) { return Checksum64(v); }
}  // namespace

uint32_t KeyDictionary::FindLocked(std::string_view value, uint64_t hash) const {
  if (slots_.empty()) return kNoKey;
  const size_t mask = slots_.size() - 1;
  const uint64_t fragment = hash >> kFragmentShift;
  for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
    const uint64_t slot = slots_[i];
    if (slot == 0) return kNoKey;
    const auto key = static_cast<uint32_t>(slot & kKeyMask);
    if ((slot >> kFragmentShift) == fragment && Name(key) == value) return key;
  }
}

Status KeyDictionary::BuildIndexLocked() const {
  if (indexed_.load(std::memory_order_relaxed)) return Status::Ok();
  const uint32_t n = size_.load(std::memory_order_relaxed);
  size_t slots = kFirstSlots;
  while (slots < size_t{n} * 2 + 2) slots *= 2;
  slots_.assign(slots, 0);
  const size_t mask = slots - 1;
  Status status = Status::Ok();
  for (uint32_t key = 1; key <= n; ++key) {
    const std::string_view value = Name(key);
    const uint64_t hash = Hash(value);
    if (FindLocked(value, hash) != kNoKey) {
      if (status.ok()) {
        status = Status::Corruption("key dictionary " + name_ +
                                    " holds the value of an earlier key again at key " + std::to_string(key));
      }
      continue;  // the first key keeps the value
    }
    size_t i = static_cast<size_t>(hash) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = ((hash >> kFragmentShift) << kFragmentShift) | key;
  }
  indexed_.store(true, std::memory_order_release);
  return status;
}

Status KeyDictionary::BuildIndex() {
  std::unique_lock<std::shared_mutex> l(mu_);
  if (indexed_.load(std::memory_order_relaxed)) return Status::Ok();
  return BuildIndexLocked();
}

void KeyDictionary::InsertLocked(uint64_t hash, uint32_t key) {
  if ((size_.load(std::memory_order_relaxed) + 1) * 2 > slots_.size()) {
    // Grow to twice the size (at least kFirstSlots) and re-insert every key.
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(std::max(kFirstSlots, old.size() * 2), 0);
    const size_t mask = slots_.size() - 1;
    for (uint64_t slot : old) {
      if (slot == 0) continue;
      const uint64_t h = Hash(Name(static_cast<uint32_t>(slot & kKeyMask)));
      size_t i = static_cast<size_t>(h) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(hash) & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = ((hash >> kFragmentShift) << kFragmentShift) | key;
}

void KeyDictionary::Append(std::string_view stored, uint64_t hash) {
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
  size_.store(index + 1, std::memory_order_release);
  if (indexed_.load(std::memory_order_relaxed)) InsertLocked(hash, index + 1);
}

uint32_t KeyDictionary::Intern(std::string_view value) {
  if (value.empty()) return kNoKey;
  const uint64_t hash = Hash(value);
  if (indexed_.load(std::memory_order_acquire)) {
    std::shared_lock<std::shared_mutex> l(mu_);
    if (uint32_t k = FindLocked(value, hash); k != kNoKey) return k;
  }
  std::unique_lock<std::shared_mutex> l(mu_);
  (void)BuildIndexLocked();  // a repeated stored value keeps its first key (see BuildIndex)
  if (uint32_t k = FindLocked(value, hash); k != kNoKey) return k;
  Append(arena_.Copy(value), hash);
  return size_.load(std::memory_order_relaxed);
}

std::optional<uint32_t> KeyDictionary::Find(std::string_view value) const {
  if (value.empty()) return std::nullopt;
  const uint64_t hash = Hash(value);
  if (!indexed_.load(std::memory_order_acquire)) {
    std::unique_lock<std::shared_mutex> l(mu_);
    (void)BuildIndexLocked();  // a repeated stored value keeps its first key (see BuildIndex)
  }
  std::shared_lock<std::shared_mutex> l(mu_);
  const uint32_t k = FindLocked(value, hash);
  if (k == kNoKey) return std::nullopt;
  return k;
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
  if (value.empty()) {
    return Status::Corruption("key dictionary " + name_ + " holds an empty value at key " +
                              std::to_string(key));
  }
  indexed_.store(false, std::memory_order_release);  // the index is built on first use
  Append(arena_.Copy(value), 0);
  persisted_ = key;
  return Status::Ok();
}

size_t KeyDictionary::bytes() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  size_t n = arena_.bytes_reserved() + slots_.size() * sizeof(uint64_t);
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
