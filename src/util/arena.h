// StringArena: append-only storage for the bytes behind string_views.
//
// Copies are stable: a view returned by Copy() stays valid until the arena is
// cleared or destroyed (blocks are never moved). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace ws {

class StringArena {
 public:
  static constexpr size_t kBlockSize = 1 << 20;

  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    if (s.size() > left_) NewBlock(s.size());
    char* dst = cur_;
    std::memcpy(dst, s.data(), s.size());
    cur_ += s.size();
    left_ -= s.size();
    return {dst, s.size()};
  }

  void Clear() {
    blocks_.clear();
    cur_ = nullptr;
    left_ = 0;
    bytes_ = 0;
  }

  // Bytes reserved by the arena's blocks.
  size_t bytes_reserved() const { return bytes_; }

 private:
  void NewBlock(size_t at_least) {
    size_t n = at_least > kBlockSize ? at_least : kBlockSize;
    blocks_.push_back(std::make_unique<char[]>(n));
    cur_ = blocks_.back().get();
    left_ = n;
    bytes_ += n;
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = nullptr;
  size_t left_ = 0;
  size_t bytes_ = 0;
};

}  // namespace ws
