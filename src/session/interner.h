// Interner: maps repeated strings (user ids, content ids, platforms...) to
// dense 32-bit ids so that per-session state stays small.
//
// Id 0 is always the empty string. Views returned by Get() stay valid for
// the interner's lifetime. Not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/arena.h"

namespace ws {

class Interner {
 public:
  Interner() { strings_.push_back({}); }
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  uint32_t Intern(std::string_view s) {
    if (s.empty()) return 0;
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    std::string_view stored = arena_.Copy(s);
    auto id = static_cast<uint32_t>(strings_.size());
    strings_.push_back(stored);
    index_.emplace(stored, id);
    return id;
  }

  // Returns 0 (the empty string) when `s` was never interned.
  uint32_t Find(std::string_view s) const {
    auto it = index_.find(s);
    return it == index_.end() ? 0 : it->second;
  }

  std::string_view Get(uint32_t id) const { return strings_[id]; }
  size_t size() const { return strings_.size(); }
  size_t bytes() const {
    return arena_.bytes_reserved() + strings_.capacity() * sizeof(std::string_view) +
           index_.size() * (sizeof(std::string_view) + sizeof(uint32_t) + 2 * sizeof(void*));
  }

 private:
  StringArena arena_;
  std::vector<std::string_view> strings_;
  std::unordered_map<std::string_view, uint32_t> index_;
};

}  // namespace ws
