// Implementation of vocab/quality.h.

#include "vocab/quality.h"

#include "vocab/name_key.h"

namespace ws {
namespace {

constexpr int32_t kSdHeight = 480;
constexpr int32_t kHdHeight = 720;
constexpr int32_t kFullHdHeight = 1080;
constexpr int32_t kQhdHeight = 1440;
constexpr int32_t kUhdHeight = 2160;
constexpr char kHeightSuffix = 'p';  // "1080p"
constexpr int32_t kDecimalBase = 10;

struct QualityAlias {
  std::string_view key;  // a NameKey: lower case, no separators
  int32_t height;
};

constexpr QualityAlias kQualityAliases[] = {
    {"sd", kSdHeight},   {"hd", kHdHeight},  {"fhd", kFullHdHeight}, {"fullhd", kFullHdHeight},
    {"qhd", kQhdHeight}, {"4k", kUhdHeight}, {"uhd", kUhdHeight},    {"ultrahd", kUhdHeight},
};

// "1080", "1080p" or "1080P" exactly; nullopt when not that shape or out of
// range. Separators are not ignored here: "-720" and "10 80" are not heights.
std::optional<int32_t> ParseHeight(std::string_view text) {
  if (!text.empty() && AsciiToLower(text.back()) == kHeightSuffix) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  int32_t v = 0;
  for (char c : text) {
    if (!IsAsciiDigit(c)) return std::nullopt;
    v = v * kDecimalBase + (c - '0');
    if (v > kMaxQualityHeight) return std::nullopt;  // also keeps v from overflowing
  }
  if (!IsValidQualityHeight(v)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<int32_t> ParseQualityName(std::string_view text) {
  const std::string_view trimmed = Trim(text);
  if (!trimmed.empty() && IsAsciiDigit(trimmed.front())) {
    if (std::optional<int32_t> h = ParseHeight(trimmed)) return h;  // the common case: "1080p"
  }
  vocab_detail::NameKeyBuffer buf;
  const std::optional<std::string_view> key = vocab_detail::NameKey(trimmed, &buf);
  if (!key || key->empty()) return std::nullopt;
  for (const QualityAlias& a : kQualityAliases) {
    if (a.key == *key) return a.height;
  }
  return std::nullopt;
}

std::string QualityLabel(int32_t height) {
  if (height == 0) return "";
  std::string out = std::to_string(height);
  out.push_back(kHeightSuffix);
  return out;
}

}  // namespace ws
