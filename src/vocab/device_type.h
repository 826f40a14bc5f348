// Device types (SPEC 1 `device_type`): the one definition of the names and
// of the spellings that every reader (event parser, legacy sessions CSV)
// accepts for them.
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <string_view>

namespace ws {

// The numeric values are stored on disk (event and session segments): never
// renumber them; a new type goes before kOther only with a format change.
enum class DeviceType : uint8_t {
  kUnknown = 0,  // field absent
  kTv,
  kMobile,
  kTablet,
  kDesktop,
  kWeb,
  kConsole,
  kOther,
};

// Canonical lower-case name ("tv", "mobile", ...); "" for kUnknown.
std::string_view DeviceTypeName(DeviceType t);

// Reads a device type name as players and older systems write it.
// Matching ignores ASCII case and the separators ' ', '\t', '-' and '_'
// ("Smart TV" == "smart-tv" == "smarttv"). Accepted spellings:
//   tv       tv, smart tv, ctv, television
//   mobile   mobile, phone, smartphone, mobile phone
//   tablet   tablet, ipad
//   desktop  desktop, laptop, pc, computer
//   web      web, browser, web browser
//   console  console, game console, gaming console, xbox, playstation
//   other    other
// Operating systems and runtimes ("android", "ios", "tizen", "chrome") are
// platforms, not device types: they run on several kinds of device and are
// deliberately not mapped.
// Guarantees: empty text, or separators only -> kUnknown; any other text that is not an
// accepted spelling -> kOther (SPEC 1: "unknown values are kept as other").
// Never fails; allocation-free.
DeviceType ParseDeviceType(std::string_view text);

}  // namespace ws
