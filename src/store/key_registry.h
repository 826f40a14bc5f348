// The key registry (SPEC 3.5): dense integer surrogate keys for the natural
// ids of dimensions (users, content items, devices) and low-cardinality
// attributes (country, platform, app version, time zone, quality).
//
// A KeyDictionary maps strings to keys 1, 2, 3, ... in first-seen order; 0
// stands for "absent" (the empty string). Keys are never reused or
// renumbered. The store persists new keys with the commit that follows
// their creation, in its own append-only table "keys", with the same
// atomicity and durability as the data: a key that facts refer to is always
// stored.
//
// Thread safety: Intern and Load are called by one writer thread at a time
// (they take an internal lock); Find may run concurrently with them; Name
// and size are lock-free and safe from any thread for keys below size().
// A dictionary's memory never moves, so views from Name stay valid for the
// dictionary's life.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/arena.h"
#include "util/status.h"

namespace ws::store {

inline constexpr uint32_t kNoKey = 0;

class KeyDictionary {
 public:
  explicit KeyDictionary(std::string name);
  ~KeyDictionary();
  KeyDictionary(const KeyDictionary&) = delete;
  KeyDictionary& operator=(const KeyDictionary&) = delete;

  const std::string& name() const { return name_; }
  // The key of `value`, assigning the next one when it is new; kNoKey for
  // the empty string. Failure is impossible short of running out of 2^32 keys
  // (then it aborts: a store cannot hold that many distinct ids).
  uint32_t Intern(std::string_view value);
  // The key of `value` if it has one.
  std::optional<uint32_t> Find(std::string_view value) const;
  // The value of `key`; "" for kNoKey or a key not (yet) assigned.
  std::string_view Name(uint32_t key) const;
  // Number of keys assigned: keys are 1..size().
  uint32_t size() const { return size_.load(std::memory_order_acquire); }

  // Loading from storage: `key` must be size() + 1 and `value` non-empty
  // (failure: kCorruption describing the gap). Loading does not index the
  // values: the index from value to key is built on the first Find or
  // Intern, or by BuildIndex, so that a reader that only names keys (a
  // report) does not hash a million device ids it never looks up.
  Status Load(uint32_t key, std::string_view value);
  // Builds the index now. Failure: kCorruption naming a value stored under
  // two keys (the writer calls it at open; a lazily built index keeps the
  // first key of a repeated value).
  Status BuildIndex();
  // Keys up to `upto` are stored.
  uint32_t persisted() const { return persisted_; }
  void MarkPersisted(uint32_t upto) { persisted_ = upto; }
  // Bytes held (strings, index, slots).
  size_t bytes() const;

 private:
  static constexpr int kFirstChunkBits = 8;
  static constexpr int kChunks = 25;  // chunk c holds 2^(c + kFirstChunkBits) keys; 25 chunks cover 2^32
  static void Locate(uint32_t index, int* chunk, size_t* offset);
  void Append(std::string_view stored, uint64_t hash);  // requires mu_ held exclusively

  std::string name_;
  // The index from value to key: open addressing, linear probing, at most
  // half full. A slot holds (the hash's top 32 bits << 32) | key; 0 is empty.
  // The probe starts at the hash's low bits.
  uint32_t FindLocked(std::string_view value, uint64_t hash) const;  // kNoKey when absent
  void InsertLocked(uint64_t hash, uint32_t key);                    // requires mu_ held exclusively
  Status BuildIndexLocked() const;                                   // requires mu_ held exclusively

  mutable std::shared_mutex mu_;  // guards slots_, arena_ and chunk allocation
  mutable std::vector<uint64_t> slots_;
  mutable std::atomic<bool> indexed_{true};  // false after Load until the index is built
  StringArena arena_;
  std::array<std::unique_ptr<std::string_view[]>, kChunks> owned_;
  std::array<std::atomic<std::string_view*>, kChunks> chunks_{};
  std::atomic<uint32_t> size_{0};
  uint32_t persisted_ = 0;  // writer thread only
};

class KeyRegistry {
 public:
  KeyRegistry();
  ~KeyRegistry();
  // The dictionary `name`, created empty when missing. Thread-safe. The
  // reference stays valid for the registry's life.
  KeyDictionary& Dictionary(std::string_view name);
  // nullptr when there is no such dictionary.
  const KeyDictionary* Find(std::string_view name) const;
  // Every dictionary, by name.
  std::vector<const KeyDictionary*> All() const;
  std::vector<KeyDictionary*> AllMutable();

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<KeyDictionary>, std::less<>> dicts_;
};

}  // namespace ws::store
