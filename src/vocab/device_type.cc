// Implementation of vocab/device_type.h.

#include "vocab/device_type.h"

#include <cstring>

#include "vocab/name_key.h"

namespace ws {
namespace {

// key == lit. Inside the switch below the length test folds away and the
// constant-size memcmp compiles to one or two integer compares.
template <size_t N>
bool KeyIs(std::string_view key, const char (&lit)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), lit, N - 1) == 0;
}

// The accepted spellings as NameKeys (lower case, no separators), by length;
// within a length the canonical name comes first. Keep in step with the list
// in device_type.h.
DeviceType FromKey(std::string_view key) {
  switch (key.size()) {
    case 2:
      if (KeyIs(key, "tv")) return DeviceType::kTv;
      if (KeyIs(key, "pc")) return DeviceType::kDesktop;
      break;
    case 3:
      if (KeyIs(key, "web")) return DeviceType::kWeb;
      if (KeyIs(key, "ctv")) return DeviceType::kTv;
      break;
    case 4:
      if (KeyIs(key, "ipad")) return DeviceType::kTablet;
      if (KeyIs(key, "xbox")) return DeviceType::kConsole;
      break;
    case 5:
      if (KeyIs(key, "other")) return DeviceType::kOther;
      if (KeyIs(key, "phone")) return DeviceType::kMobile;
      break;
    case 6:
      if (KeyIs(key, "mobile")) return DeviceType::kMobile;
      if (KeyIs(key, "tablet")) return DeviceType::kTablet;
      if (KeyIs(key, "laptop")) return DeviceType::kDesktop;
      break;
    case 7:
      if (KeyIs(key, "desktop")) return DeviceType::kDesktop;
      if (KeyIs(key, "console")) return DeviceType::kConsole;
      if (KeyIs(key, "smarttv")) return DeviceType::kTv;
      if (KeyIs(key, "browser")) return DeviceType::kWeb;
      break;
    case 8:
      if (KeyIs(key, "computer")) return DeviceType::kDesktop;
      break;
    case 10:
      if (KeyIs(key, "television")) return DeviceType::kTv;
      if (KeyIs(key, "smartphone")) return DeviceType::kMobile;
      if (KeyIs(key, "webbrowser")) return DeviceType::kWeb;
      break;
    case 11:
      if (KeyIs(key, "mobilephone")) return DeviceType::kMobile;
      if (KeyIs(key, "gameconsole")) return DeviceType::kConsole;
      if (KeyIs(key, "playstation")) return DeviceType::kConsole;
      break;
    case 13:
      if (KeyIs(key, "gamingconsole")) return DeviceType::kConsole;
      break;
    default:
      break;
  }
  return DeviceType::kOther;
}

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
  return FromKey(*key);
}

}  // namespace ws
