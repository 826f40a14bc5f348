// Column chunk codecs (store/codec.h).
#include "store/codec.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "store/encoding.h"
#include "util/fast_equal.h"

namespace ws::store {
namespace {

// Plain chunks and bit unpacking copy integers as the host lays them out.
static_assert(std::endian::native == std::endian::little, "the store format is little-endian");

constexpr int kMaxWidth = 64;
constexpr int kFastWidth = 56;  // widths up to this decode with one 8-byte load
constexpr int kBitsPerByte = 8;
constexpr uint8_t kDictEntriesPlain = 0;
constexpr uint8_t kDictEntriesUuid = 1;

Status Corrupt(const std::string& what) { return Status::Corruption(what); }

uint64_t Range(int64_t lo, int64_t hi) { return static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo); }

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t PackedBytes(size_t n, int width) {
  return static_cast<size_t>(
      (static_cast<unsigned __int128>(n) * static_cast<unsigned>(width) + kBitsPerByte - 1) / kBitsPerByte);
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;  // little-endian hosts only (x86-64, aarch64)
}

// ------------------------------------------------------------------ integers

struct IntProfile {
  int64_t min = 0;
  int64_t max = 0;
  bool all_equal = true;
  bool deltas_fit = true;  // every v[i] - v[i-1] fits in int64
  int64_t dmin = 0;
  int64_t dmax = 0;
  size_t rle_bytes = 0;
};

IntProfile Profile(std::span<const int64_t> v) {
  IntProfile p;
  if (v.empty()) return p;
  p.min = p.max = v[0];
  size_t run = 1;
  int64_t run_value = v[0];
  bool first_delta = true;
  for (size_t i = 1; i < v.size(); ++i) {
    p.min = std::min(p.min, v[i]);
    p.max = std::max(p.max, v[i]);
    if (v[i] != v[0]) p.all_equal = false;
    __int128 d = static_cast<__int128>(v[i]) - v[i - 1];
    if (d < std::numeric_limits<int64_t>::min() || d > std::numeric_limits<int64_t>::max()) {
      p.deltas_fit = false;
    } else {
      int64_t dd = static_cast<int64_t>(d);
      if (first_delta) {
        p.dmin = p.dmax = dd;
        first_delta = false;
      } else {
        p.dmin = std::min(p.dmin, dd);
        p.dmax = std::max(p.dmax, dd);
      }
    }
    if (v[i] == run_value) {
      ++run;
    } else {
      p.rle_bytes += VarintLength(ZigZag(run_value)) + VarintLength(run);
      run_value = v[i];
      run = 1;
    }
  }
  p.rle_bytes += VarintLength(ZigZag(run_value)) + VarintLength(run);
  return p;
}

void EncodeBitpack(std::span<const int64_t> v, int64_t min, int width, std::string* out) {
  ByteSink s;
  s.PutZigZag(min);
  s.PutU8(static_cast<uint8_t>(width));
  *out = s.Finish();
  PackBits(v, min, width, out);
}

void EncodeDeltaBitpack(std::span<const int64_t> v, int64_t dmin, int width, std::string* out) {
  ByteSink s;
  s.PutZigZag(v[0]);
  s.PutZigZag(dmin);
  s.PutU8(static_cast<uint8_t>(width));
  *out = s.Finish();
  std::vector<int64_t> deltas(v.size() - 1);
  for (size_t i = 1; i < v.size(); ++i) deltas[i - 1] = WrapSub(v[i], v[i - 1]);
  PackBits(deltas, dmin, width, out);
}

void EncodeRle(std::span<const int64_t> v, std::string* out) {
  RleEncoder enc;
  for (int64_t x : v) enc.Add(x);
  *out = enc.Finish();
}

void EncodeVarints(std::span<const int64_t> v, Encoding e, std::span<const int64_t> ref, std::string* out) {
  ByteSink s;
  s.Reserve(v.size() * 2);
  int64_t prev = 0;
  int64_t prev_ref = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    switch (e) {
      case Encoding::kVarint:
        s.PutZigZag(v[i]);
        break;
      case Encoding::kVarintDelta:
        s.PutZigZag(WrapSub(v[i], prev));
        break;
      case Encoding::kVarintRefDelta:
        s.PutZigZag(WrapSub(WrapSub(v[i], prev), WrapSub(ref[i], prev_ref)));
        prev_ref = ref[i];
        break;
      case Encoding::kVarintRefDiff:
        s.PutZigZag(WrapSub(v[i], ref[i]));
        break;
      default:
        break;
    }
    prev = v[i];
  }
  *out = s.Finish();
}

// ------------------------------------------------------------------- strings

// Values are views into wherever their writer keeps them (an event's
// strings, scattered over a parser arena): ask for the bytes a few values
// ahead so that the cache misses overlap.
constexpr size_t kPrefetchValues = 16;

void PutUuidStyle(std::span<const std::string_view> values, ByteSink* out) {
  UuidColumnEncoder enc;
  enc.kinds.Reserve(values.size());
  enc.uuids.Reserve(values.size() * kUuidBytes);
  for (size_t i = 0; i < values.size(); ++i) {
    if (i + kPrefetchValues < values.size()) __builtin_prefetch(values[i + kPrefetchValues].data());
    enc.Add(values[i]);
  }
  std::string kinds = enc.kinds.Finish();
  std::string uuids = enc.uuids.Finish();
  std::string texts = enc.texts.Finish();
  out->PutBytes(kinds.data(), kinds.size());
  out->PutBytes(uuids.data(), uuids.size());
  out->PutBytes(texts.data(), texts.size());
}

// Splits a UUID-style block of `count` items into its three parts.
Status SplitUuidStyle(ByteSource* src, uint64_t count, std::string_view* kinds, std::string_view* uuids,
                      std::string_view* texts) {
  if (!src->GetBytes(static_cast<size_t>(count), kinds)) return Corrupt("UUID kind bytes end early");
  uint64_t n_uuid = 0;
  for (char k : *kinds) n_uuid += static_cast<uint8_t>(k) == static_cast<uint8_t>(UuidKind::kUuid);
  if (n_uuid > src->remaining() / kUuidBytes) return Corrupt("UUID bytes end early");
  if (!src->GetBytes(static_cast<size_t>(n_uuid * kUuidBytes), uuids)) return Corrupt("UUID bytes end early");
  // Text items: as many varint-length strings as kind-2 items, to the end.
  uint64_t n_text = 0;
  for (char k : *kinds) n_text += static_cast<uint8_t>(k) == static_cast<uint8_t>(UuidKind::kText);
  ByteSource probe = *src;
  size_t before = src->remaining();
  for (uint64_t i = 0; i < n_text; ++i) {
    std::string_view s;
    if (!probe.GetString(&s)) return Corrupt("UUID text items are malformed");
  }
  size_t used = before - probe.remaining();
  if (!src->GetBytes(used, texts)) return Corrupt("UUID text items are malformed");
  return Status::Ok();
}

void StringStats(std::span<const std::string_view> v, ChunkStats* st) {
  if (v.empty()) return;
  std::string_view lo = v[0], hi = v[0];
  for (std::string_view s : v) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  if (lo.size() <= kMaxStatBytes && hi.size() <= kMaxStatBytes) {
    st->has_string = true;
    st->smin = std::string(lo);
    st->smax = std::string(hi);
  }
}

}  // namespace

// ------------------------------------------------------------------ bit packing

int BitWidth(uint64_t range) { return range == 0 ? 0 : kMaxWidth - __builtin_clzll(range); }

void PackBits(std::span<const int64_t> values, int64_t base, int width, std::string* out) {
  const size_t start = out->size();
  out->resize(start + PackedBytes(values.size(), width) + kPackPadding, '\0');
  if (width == 0) return;
  char* p = out->data() + start;
  unsigned __int128 acc = 0;
  int bits = 0;
  size_t o = 0;
  for (int64_t v : values) {
    uint64_t u = static_cast<uint64_t>(v) - static_cast<uint64_t>(base);
    acc |= static_cast<unsigned __int128>(u) << bits;
    bits += width;
    while (bits >= kBitsPerByte) {
      p[o++] = static_cast<char>(static_cast<uint8_t>(acc));
      acc >>= kBitsPerByte;
      bits -= kBitsPerByte;
    }
  }
  if (bits > 0) p[o++] = static_cast<char>(static_cast<uint8_t>(acc));
}

void UnpackBits(const char* packed, size_t n, int width, int64_t base, int64_t* out) {
  const uint64_t ubase = static_cast<uint64_t>(base);
  if (width == 0) {
    std::fill(out, out + n, base);
    return;
  }
  if (width <= kFastWidth) {
    const uint64_t mask = (uint64_t{1} << width) - 1;
    const uint64_t w = static_cast<uint64_t>(width);
    for (size_t i = 0; i < n; ++i) {
      const uint64_t bit = i * w;
      const uint64_t x = Load64(packed + (bit >> 3)) >> (bit & 7);
      out[i] = static_cast<int64_t>(ubase + (x & mask));
    }
    return;
  }
  const uint64_t mask = width == kMaxWidth ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t bit = i * static_cast<uint64_t>(width);
    const size_t byte = static_cast<size_t>(bit >> 3);
    unsigned __int128 x = 0;
    const size_t need = static_cast<size_t>(((bit & 7) + static_cast<uint64_t>(width) + 7) / 8);
    for (size_t k = 0; k < need; ++k) {
      x |= static_cast<unsigned __int128>(static_cast<uint8_t>(packed[byte + k])) << (8 * k);
    }
    out[i] = static_cast<int64_t>(ubase + (static_cast<uint64_t>(x >> (bit & 7)) & mask));
  }
}

// ------------------------------------------------------------------ encoders

void EncodeIntChunk(std::span<const int64_t> rows, EncodingHint hint, std::span<const int64_t> ref,
                    EncodedChunk* out) {
  out->stats = ChunkStats{};
  out->bytes.clear();
  if (rows.empty()) {
    out->encoding = Encoding::kPlain;
    return;
  }
  IntProfile p;
  if (hint == EncodingHint::kAuto) {
    p = Profile(rows);
  } else {
    const auto [lo, hi] = std::minmax_element(rows.begin(), rows.end());
    p.min = *lo;
    p.max = *hi;
  }
  out->stats.has_int = true;
  out->stats.min = p.min;
  out->stats.max = p.max;
  switch (hint) {
    case EncodingHint::kPlain: {
      out->encoding = Encoding::kPlain;
      out->bytes.resize(rows.size() * sizeof(int64_t));
      std::memcpy(out->bytes.data(), rows.data(), out->bytes.size());  // little-endian host
      return;
    }
    case EncodingHint::kVarint:
    case EncodingHint::kVarintDelta:
    case EncodingHint::kVarintRefDelta:
    case EncodingHint::kVarintRefDiff: {
      Encoding e = hint == EncodingHint::kVarint           ? Encoding::kVarint
                   : hint == EncodingHint::kVarintDelta    ? Encoding::kVarintDelta
                   : hint == EncodingHint::kVarintRefDelta ? Encoding::kVarintRefDelta
                                                           : Encoding::kVarintRefDiff;
      out->encoding = e;
      EncodeVarints(rows, e, ref, &out->bytes);
      return;
    }
    case EncodingHint::kRle:
      out->encoding = Encoding::kRle;
      EncodeRle(rows, &out->bytes);
      return;
    default:
      break;
  }
  // kAuto: the smallest of const / bitpack / delta-bitpack / rle.
  if (p.all_equal) {
    ByteSink s;
    s.PutZigZag(p.min);
    out->encoding = Encoding::kConst;
    out->bytes = s.Finish();
    return;
  }
  const int width = BitWidth(Range(p.min, p.max));
  size_t best = VarintLength(ZigZag(p.min)) + 1 + PackedBytes(rows.size(), width) + kPackPadding;
  Encoding choice = Encoding::kBitpack;
  int dwidth = 0;
  if (p.deltas_fit) {
    dwidth = BitWidth(Range(p.dmin, p.dmax));
    size_t size = VarintLength(ZigZag(rows[0])) + VarintLength(ZigZag(p.dmin)) + 1 +
                  PackedBytes(rows.size() - 1, dwidth) + kPackPadding;
    if (size < best) {
      best = size;
      choice = Encoding::kDeltaBitpack;
    }
  }
  if (p.rle_bytes < best) choice = Encoding::kRle;
  out->encoding = choice;
  if (choice == Encoding::kBitpack) {
    EncodeBitpack(rows, p.min, width, &out->bytes);
  } else if (choice == Encoding::kDeltaBitpack) {
    EncodeDeltaBitpack(rows, p.dmin, dwidth, &out->bytes);
  } else {
    EncodeRle(rows, &out->bytes);
  }
}

void EncodeStringChunk(std::span<const std::string_view> rows, EncodingHint hint, bool stats,
                       EncodedChunk* out) {
  out->stats = ChunkStats{};
  out->bytes.clear();
  ByteSink s;
  if (hint == EncodingHint::kPlain) {
    if (stats) StringStats(rows, &out->stats);
    out->encoding = Encoding::kStrPlain;
    for (std::string_view v : rows) s.PutString(v);
    out->bytes = s.Finish();
    return;
  }
  if (hint == EncodingHint::kUuid) {
    if (stats) StringStats(rows, &out->stats);
    out->encoding = Encoding::kStrUuid;
    PutUuidStyle(rows, &s);
    out->bytes = s.Finish();
    return;
  }
  // Dictionary: distinct values in first-use order, codes per row.
  std::unordered_map<std::string_view, uint32_t> index;
  std::vector<std::string_view> dict;
  std::vector<int64_t> codes(rows.size());
  std::string_view last;
  uint32_t last_code = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + kPrefetchValues < rows.size()) __builtin_prefetch(rows[i + kPrefetchValues].data());
    // Repeated values are usually one shared copy: FastEqual compares no
    // bytes then.
    if (i > 0 && FastEqual(rows[i], last)) {
      codes[i] = last_code;
      continue;
    }
    auto [it, inserted] = index.try_emplace(rows[i], static_cast<uint32_t>(dict.size()));
    if (inserted) dict.push_back(rows[i]);
    last = rows[i];
    last_code = it->second;
    codes[i] = last_code;
  }
  if (stats) StringStats(dict, &out->stats);
  if (hint == EncodingHint::kAuto && dict.size() * 2 > rows.size() && rows.size() > 1) {
    out->encoding = Encoding::kStrPlain;
    for (std::string_view v : rows) s.PutString(v);
    out->bytes = s.Finish();
    return;
  }
  out->encoding = Encoding::kStrDict;
  const bool uuid = hint == EncodingHint::kDictUuid;
  s.PutU8(uuid ? kDictEntriesUuid : kDictEntriesPlain);
  s.PutVarint(dict.size());
  if (uuid) {
    PutUuidStyle(dict, &s);
  } else {
    for (std::string_view v : dict) s.PutString(v);
  }
  EncodedChunk code_chunk;
  EncodeIntChunk(codes, EncodingHint::kAuto, {}, &code_chunk);
  s.PutU8(static_cast<uint8_t>(code_chunk.encoding));
  s.PutBytes(code_chunk.bytes.data(), code_chunk.bytes.size());
  out->bytes = s.Finish();
}

// ------------------------------------------------------------------ decoders

Status DecodeIntChunk(Encoding encoding, std::string_view bytes, size_t rows, const IntColumn* ref,
                      IntColumn* out) {
  out->resize(rows);
  ByteSource src(bytes);
  switch (encoding) {
    case Encoding::kPlain: {
      if (bytes.size() != rows * sizeof(int64_t)) return Corrupt("plain integer chunk has the wrong size");
      if (rows > 0) std::memcpy(out->data(), bytes.data(), bytes.size());  // little-endian host
      return Status::Ok();
    }
    case Encoding::kConst: {
      int64_t v;
      if (!src.GetZigZag(&v) || !src.done()) return Corrupt("constant integer chunk is malformed");
      std::fill(out->begin(), out->end(), v);
      return Status::Ok();
    }
    case Encoding::kBitpack:
    case Encoding::kDeltaBitpack: {
      const bool delta = encoding == Encoding::kDeltaBitpack;
      int64_t first = 0, base = 0;
      uint8_t width = 0;
      if ((delta && !src.GetZigZag(&first)) || !src.GetZigZag(&base) || !src.GetU8(&width) ||
          width > kMaxWidth) {
        return Corrupt("bit-packed integer chunk header is malformed");
      }
      const size_t packed_n = delta ? (rows == 0 ? 0 : rows - 1) : rows;
      if (src.remaining() != PackedBytes(packed_n, width) + kPackPadding) {
        return Corrupt("bit-packed integer chunk has the wrong size");
      }
      const char* packed = bytes.data() + (bytes.size() - src.remaining());
      if (!delta) {
        UnpackBits(packed, rows, width, base, out->data());
        return Status::Ok();
      }
      if (rows == 0) return Status::Ok();
      UnpackBits(packed, packed_n, width, base, out->data() + 1);
      (*out)[0] = first;
      for (size_t i = 1; i < rows; ++i) (*out)[i] = WrapAdd((*out)[i - 1], (*out)[i]);
      return Status::Ok();
    }
    case Encoding::kRle:
      return DecodeRle(bytes, rows, out);
    case Encoding::kVarint:
    case Encoding::kVarintDelta:
    case Encoding::kVarintRefDelta:
    case Encoding::kVarintRefDiff: {
      const bool needs_ref = encoding == Encoding::kVarintRefDelta || encoding == Encoding::kVarintRefDiff;
      if (needs_ref && (ref == nullptr || ref->size() != rows)) {
        return Corrupt("integer chunk refers to a column that is missing or of another length");
      }
      if (rows > bytes.size()) return Corrupt("integer chunk has too few items");
      int64_t prev = 0;
      int64_t prev_ref = 0;
      for (size_t i = 0; i < rows; ++i) {
        int64_t d;
        if (!src.GetZigZag(&d)) return Corrupt("integer chunk is malformed");
        int64_t v = 0;
        switch (encoding) {
          case Encoding::kVarint:
            v = d;
            break;
          case Encoding::kVarintDelta:
            v = WrapAdd(prev, d);
            break;
          case Encoding::kVarintRefDelta:
            v = WrapAdd(WrapAdd(prev, d), WrapSub((*ref)[i], prev_ref));
            prev_ref = (*ref)[i];
            break;
          default:
            v = WrapAdd((*ref)[i], d);
            break;
        }
        (*out)[i] = v;
        prev = v;
      }
      if (!src.done()) return Corrupt("integer chunk has trailing bytes");
      return Status::Ok();
    }
    default:
      return Corrupt("chunk has encoding " + std::to_string(static_cast<int>(encoding)) +
                     ", which is not an integer encoding");
  }
}

Status DecodeStringChunk(Encoding encoding, std::string bytes, size_t rows, StringColumn* out) {
  out->Clear();
  out->buffer() = std::move(bytes);
  std::string_view all(out->buffer());
  ByteSource src(all);
  switch (encoding) {
    case Encoding::kStrPlain: {
      out->SetDict(false);
      if (rows > all.size()) return Corrupt("string chunk has too few items");
      auto& values = out->mutable_values();
      values.reserve(rows);
      for (size_t i = 0; i < rows; ++i) {
        std::string_view s;
        if (!src.GetString(&s)) return Corrupt("string chunk is malformed");
        values.push_back(s);
      }
      if (!src.done()) return Corrupt("string chunk has trailing bytes");
      return Status::Ok();
    }
    case Encoding::kStrUuid: {
      out->SetDict(false);
      std::string_view kinds, uuids, texts;
      WS_RETURN_IF_ERROR(SplitUuidStyle(&src, rows, &kinds, &uuids, &texts));
      if (!src.done()) return Corrupt("UUID string chunk has trailing bytes");
      return DecodeUuidColumn(kinds, uuids, texts, rows, &out->arena(), &out->mutable_values());
    }
    case Encoding::kStrDict: {
      out->SetDict(true);
      uint8_t form = 0;
      uint64_t dict_size = 0;
      if (!src.GetU8(&form) || form > kDictEntriesUuid || !src.GetVarint(&dict_size) ||
          dict_size > src.remaining()) {
        return Corrupt("dictionary chunk header is malformed");
      }
      auto& dict = out->mutable_dict();
      if (form == kDictEntriesUuid) {
        std::string_view kinds, uuids, texts;
        WS_RETURN_IF_ERROR(SplitUuidStyle(&src, dict_size, &kinds, &uuids, &texts));
        WS_RETURN_IF_ERROR(DecodeUuidColumn(kinds, uuids, texts, dict_size, &out->arena(), &dict));
      } else {
        dict.reserve(static_cast<size_t>(dict_size));
        for (uint64_t i = 0; i < dict_size; ++i) {
          std::string_view s;
          if (!src.GetString(&s)) return Corrupt("dictionary entry is malformed");
          dict.push_back(s);
        }
      }
      uint8_t code_encoding = 0;
      if (!src.GetU8(&code_encoding) || !IsKnownEncoding(code_encoding) ||
          !IsIntEncoding(static_cast<Encoding>(code_encoding))) {
        return Corrupt("dictionary codes have an unknown encoding");
      }
      IntColumn codes;
      std::string_view rest = all.substr(all.size() - src.remaining());
      WS_RETURN_IF_ERROR(DecodeIntChunk(static_cast<Encoding>(code_encoding), rest, rows, nullptr, &codes));
      auto& out_codes = out->mutable_codes();
      out_codes.resize(rows);
      for (size_t i = 0; i < rows; ++i) {
        if (codes[i] < 0 || static_cast<uint64_t>(codes[i]) >= dict_size) {
          return Corrupt("dictionary code out of range");
        }
        out_codes[i] = static_cast<uint32_t>(codes[i]);
      }
      return Status::Ok();
    }
    default:
      return Corrupt("chunk has encoding " + std::to_string(static_cast<int>(encoding)) +
                     ", which is not a string encoding");
  }
}

// ------------------------------------------------------------------ names

bool IsIntEncoding(Encoding e) {
  return static_cast<uint8_t>(e) >= static_cast<uint8_t>(Encoding::kPlain) &&
         static_cast<uint8_t>(e) <= static_cast<uint8_t>(Encoding::kVarintRefDiff);
}

bool IsStringEncoding(Encoding e) {
  return static_cast<uint8_t>(e) >= static_cast<uint8_t>(Encoding::kStrPlain) &&
         static_cast<uint8_t>(e) <= static_cast<uint8_t>(Encoding::kStrDict);
}

bool IsKnownEncoding(uint8_t code) {
  return IsIntEncoding(static_cast<Encoding>(code)) || IsStringEncoding(static_cast<Encoding>(code));
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain:
      return "plain";
    case Encoding::kConst:
      return "const";
    case Encoding::kBitpack:
      return "bitpack";
    case Encoding::kDeltaBitpack:
      return "delta_bitpack";
    case Encoding::kRle:
      return "rle";
    case Encoding::kVarint:
      return "varint";
    case Encoding::kVarintDelta:
      return "varint_delta";
    case Encoding::kVarintRefDelta:
      return "varint_ref_delta";
    case Encoding::kVarintRefDiff:
      return "varint_ref_diff";
    case Encoding::kStrPlain:
      return "str_plain";
    case Encoding::kStrUuid:
      return "str_uuid";
    case Encoding::kStrDict:
      return "str_dict";
  }
  return "unknown";
}

void StringColumn::Clear() {
  dict_.clear();
  codes_.clear();
  values_.clear();
  arena_.Clear();
  buffer_.clear();
}

}  // namespace ws::store
