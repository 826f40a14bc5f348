// The names of the key dictionaries (SPEC 3.5) that facts and the catalog
// share, in one place: the session facts carry these keys, and the catalog
// attaches its rows to them.
#pragma once

#include <string_view>

namespace ws {

inline constexpr std::string_view kUserKeys = "user";
inline constexpr std::string_view kContentKeys = "content";  // playable items (movies and episodes)
inline constexpr std::string_view kTitleKeys = "title";      // movies and series
inline constexpr std::string_view kDeviceKeys = "device";
inline constexpr std::string_view kPlatformKeys = "platform";
inline constexpr std::string_view kAppVersionKeys = "app_version";
inline constexpr std::string_view kCountryKeys = "country";
inline constexpr std::string_view kTzKeys = "tz";
inline constexpr std::string_view kQualityKeys = "quality";

}  // namespace ws
