// Implementation of vocab/device_type.h.

#include "vocab/device_type.h"

#include "vocab/name_key.h"

namespace ws {
namespace {

struct DeviceAlias {
  std::string_view key;  // a NameKey: lower case, no separators
  DeviceType type;
};

// Canonical names first: they are what almost every event carries, so the
// scan usually stops within the first few entries.
constexpr DeviceAlias kDeviceAliases[] = {
    {"tv", DeviceType::kTv},
    {"mobile", DeviceType::kMobile},
    {"tablet", DeviceType::kTablet},
    {"desktop", DeviceType::kDesktop},
    {"web", DeviceType::kWeb},
    {"console", DeviceType::kConsole},
    {"other", DeviceType::kOther},
    {"smarttv", DeviceType::kTv},
    {"ctv", DeviceType::kTv},
    {"television", DeviceType::kTv},
    {"phone", DeviceType::kMobile},
    {"smartphone", DeviceType::kMobile},
    {"mobilephone", DeviceType::kMobile},
    {"ipad", DeviceType::kTablet},
    {"laptop", DeviceType::kDesktop},
    {"pc", DeviceType::kDesktop},
    {"computer", DeviceType::kDesktop},
    {"browser", DeviceType::kWeb},
    {"webbrowser", DeviceType::kWeb},
    {"gameconsole", DeviceType::kConsole},
    {"gamingconsole", DeviceType::kConsole},
    {"xbox", DeviceType::kConsole},
    {"playstation", DeviceType::kConsole},
};

}  // namespace

std::string_view DeviceTypeName(DeviceType t) {
  switch (t) {
    case DeviceType::kUnknown:
      return "";
    case DeviceType::kTv:
      return "tv";
    case DeviceType::kMobile:
      return "mobile";
    case DeviceType::kTablet:
      return "tablet";
    case DeviceType::kDesktop:
      return "desktop";
    case DeviceType::kWeb:
      return "web";
    case DeviceType::kConsole:
      return "console";
    case DeviceType::kOther:
      return "other";
  }
  return "";
}

DeviceType ParseDeviceType(std::string_view text) {
  vocab_detail::NameKeyBuffer buf;
  const std::optional<std::string_view> key = vocab_detail::NameKey(text, &buf);
  if (!key) return DeviceType::kOther;  // too long to be any accepted spelling
  if (key->empty()) return DeviceType::kUnknown;
  for (const DeviceAlias& a : kDeviceAliases) {
    if (a.key == *key) return a.type;
  }
  return DeviceType::kOther;
}

}  // namespace ws
