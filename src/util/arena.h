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

  StringArena() = default;
  // An arena whose blocks hold `block_size` bytes (a small arena for one
  // HTTP request: its body's size).
  explicit StringArena(size_t block_size) : block_size_(block_size > 0 ? block_size : kBlockSize) {}

  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    if (s.size() > left_) NextBlock(s.size());
    char* dst = cur_;
    std::memcpy(dst, s.data(), s.size());
    cur_ += s.size();
    left_ -= s.size();
    used_ += s.size();
    return {dst, s.size()};
  }

  // Invalidates every view; keeps the standard-size blocks for reuse so
  // that a batch-after-batch user does not fault fresh pages each time.
  void Clear() {
    std::vector<std::unique_ptr<char[]>> keep;
    for (size_t i = 0; i < blocks_.size(); ++i) {
      if (block_sizes_[i] == block_size_) keep.push_back(std::move(blocks_[i]));
    }
    blocks_.clear();
    block_sizes_.clear();
    spare_ = std::move(keep);
    cur_ = nullptr;
    left_ = 0;
    used_ = 0;
    bytes_ = spare_.size() * block_size_;
  }

  // Bytes reserved by the arena's blocks (kept across Clear for reuse).
  size_t bytes_reserved() const { return bytes_; }
  // Bytes copied in since the last Clear.
  size_t bytes_used() const { return used_; }

 private:
  void NextBlock(size_t at_least) {
    size_t n = at_least > block_size_ ? at_least : block_size_;
    if (n == block_size_ && !spare_.empty()) {
      blocks_.push_back(std::move(spare_.back()));
      spare_.pop_back();
    } else {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(n));
      bytes_ += n;
    }
    block_sizes_.push_back(n);
    cur_ = blocks_.back().get();
    left_ = n;
  }

  size_t block_size_ = kBlockSize;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> block_sizes_;
  std::vector<std::unique_ptr<char[]>> spare_;
  char* cur_ = nullptr;
  size_t left_ = 0;
  size_t bytes_ = 0;
  size_t used_ = 0;
};

}  // namespace ws
