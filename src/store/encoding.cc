#include "store/encoding.h"

#include <array>
#include <string>

namespace ws::store {
namespace {

constexpr uint8_t kNoHex = 0xff;
constexpr bool IsDashPosition(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }
constexpr char kHexDigits[] = "0123456789abcdef";

Status Corrupt(const std::string& what) { return Status::Corruption(what); }

}  // namespace

bool ParseCanonicalUuid(std::string_view s, uint8_t out[kUuidBytes]) {
  // Offsets of the first hex digit of each byte in the canonical text.
  static constexpr uint8_t kByteOffsets[kUuidBytes] = {0,  2,  4,  6,  9,  11, 14, 16,
                                                       19, 21, 24, 26, 28, 30, 32, 34};
  static const auto kTable = [] {
    std::array<uint8_t, 256> t;
    t.fill(kNoHex);
    for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
    return t;
  }();
  if (s.size() != kUuidTextLength || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
    return false;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  uint8_t bad = 0;
  for (size_t i = 0; i < kUuidBytes; ++i) {
    uint8_t hi = kTable[p[kByteOffsets[i]]];
    uint8_t lo = kTable[p[kByteOffsets[i] + 1]];
    bad |= hi | lo;
    out[i] = static_cast<uint8_t>((hi << 4) | (lo & 0xf));
  }
  return (bad & 0xf0) == 0;
}

void FormatUuid(const uint8_t in[kUuidBytes], char out[kUuidTextLength]) {
  size_t o = 0;
  for (size_t i = 0; i < kUuidBytes; ++i) {
    if (IsDashPosition(o)) out[o++] = '-';
    out[o++] = kHexDigits[in[i] >> 4];
    out[o++] = kHexDigits[in[i] & 0xf];
  }
}

void UuidColumnEncoder::Add(std::string_view s) {
  if (s.empty()) {
    kinds.PutU8(static_cast<uint8_t>(UuidKind::kEmpty));
    return;
  }
  uint8_t bytes[kUuidBytes];
  if (ParseCanonicalUuid(s, bytes)) {
    kinds.PutU8(static_cast<uint8_t>(UuidKind::kUuid));
    uuids.PutBytes(bytes, kUuidBytes);
    return;
  }
  kinds.PutU8(static_cast<uint8_t>(UuidKind::kText));
  texts.PutString(s);
}

Status DecodeUuidColumn(std::string_view kinds, std::string_view uuids, std::string_view texts,
                        uint64_t count, StringArena* arena, std::vector<std::string_view>* out,
                        const std::vector<uint8_t>* keep) {
  if (kinds.size() != count) return Corrupt("UUID kind column has the wrong number of items");
  out->clear();
  out->reserve(count);
  ByteSource u(uuids);
  ByteSource t(texts);
  for (uint64_t i = 0; i < count; ++i) {
    switch (static_cast<UuidKind>(kinds[i])) {
      case UuidKind::kEmpty:
        out->emplace_back();
        break;
      case UuidKind::kUuid: {
        std::string_view raw;
        if (!u.GetBytes(kUuidBytes, &raw)) return Corrupt("UUID column ends early");
        if (keep != nullptr && !(*keep)[i]) {
          out->emplace_back();
          break;
        }
        char text[kUuidTextLength];
        FormatUuid(reinterpret_cast<const uint8_t*>(raw.data()), text);
        out->push_back(arena->Copy(std::string_view(text, kUuidTextLength)));
        break;
      }
      case UuidKind::kText: {
        std::string_view s;
        if (!t.GetString(&s) || s.empty()) return Corrupt("UUID text column is malformed");
        out->push_back(keep != nullptr && !(*keep)[i] ? std::string_view() : arena->Copy(s));
        break;
      }
      default:
        return Corrupt("UUID kind column holds an unknown kind");
    }
  }
  if (!u.done() || !t.done()) return Corrupt("UUID column has trailing bytes");
  return Status::Ok();
}

Status DecodeRle(std::string_view block, uint64_t count, std::vector<int64_t>* out) {
  out->clear();
  out->reserve(count);
  ByteSource src(block);
  while (!src.done()) {
    int64_t v;
    uint64_t run;
    if (!src.GetZigZag(&v) || !src.GetVarint(&run)) return Corrupt("rle column is malformed");
    if (run == 0 || run > count - out->size()) return Corrupt("rle column has a bad run length");
    out->insert(out->end(), static_cast<size_t>(run), v);
  }
  if (out->size() != count) return Corrupt("rle column has the wrong number of items");
  return Status::Ok();
}

void DictRleEncoder::Flush() {
  if (run_ == 0) return;
  auto [it, inserted] = index_.try_emplace(value_, static_cast<uint32_t>(dict_.size()));
  if (inserted) dict_.push_back(value_);
  runs_.PutVarint(it->second);
  runs_.PutVarint(run_);
  run_ = 0;
}

std::string DictRleEncoder::Finish() {
  Flush();
  ByteSink out;
  out.PutVarint(dict_.size());
  for (std::string_view s : dict_) out.PutString(s);
  std::string runs = runs_.Finish();
  out.PutBytes(runs.data(), runs.size());
  index_.clear();
  dict_.clear();
  return out.Finish();
}

Status DecodeDictRle(std::string_view block, uint64_t count, StringArena* arena,
                     std::vector<std::string_view>* out) {
  out->clear();
  out->reserve(count);
  ByteSource src(block);
  uint64_t dict_size;
  if (!src.GetVarint(&dict_size) || dict_size > src.remaining())
    return Corrupt("dictionary column is malformed");
  std::vector<std::string_view> dict;
  dict.reserve(dict_size);
  for (uint64_t i = 0; i < dict_size; ++i) {
    std::string_view s;
    if (!src.GetString(&s)) return Corrupt("dictionary column has a bad entry");
    dict.push_back(arena->Copy(s));
  }
  while (!src.done()) {
    uint64_t idx;
    uint64_t run;
    if (!src.GetVarint(&idx) || !src.GetVarint(&run)) return Corrupt("dictionary column runs are malformed");
    if (idx >= dict_size) return Corrupt("dictionary column has an index out of range");
    if (run == 0 || run > count - out->size()) return Corrupt("dictionary column has a bad run length");
    out->insert(out->end(), static_cast<size_t>(run), dict[idx]);
  }
  if (out->size() != count) return Corrupt("dictionary column has the wrong number of items");
  return Status::Ok();
}

Status DecodeVarints(std::string_view block, std::vector<uint64_t>* out) {
  out->clear();
  ByteSource src(block);
  while (!src.done()) {
    uint64_t v;
    if (!src.GetVarint(&v)) return Corrupt("varint column is malformed");
    out->push_back(v);
  }
  return Status::Ok();
}

Status DecodeZigZags(std::string_view block, uint64_t count, std::vector<int64_t>* out) {
  out->clear();
  if (count > block.size()) return Corrupt("integer column has too few items");
  out->reserve(count);
  ByteSource src(block);
  for (uint64_t i = 0; i < count; ++i) {
    int64_t v;
    if (!src.GetZigZag(&v)) return Corrupt("integer column is malformed");
    out->push_back(v);
  }
  if (!src.done()) return Corrupt("integer column has trailing bytes");
  return Status::Ok();
}

Status CheckU8Count(std::string_view block, uint64_t count) {
  if (block.size() != count) return Corrupt("byte column has the wrong number of items");
  return Status::Ok();
}

Status DecodeStrings(std::string_view block, uint64_t count, std::vector<std::string_view>* out) {
  out->clear();
  if (count > block.size()) return Corrupt("string column has too few items");
  out->reserve(count);
  ByteSource src(block);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view s;
    if (!src.GetString(&s)) return Corrupt("string column is malformed");
    out->push_back(s);
  }
  if (!src.done()) return Corrupt("string column has trailing bytes");
  return Status::Ok();
}

}  // namespace ws::store
