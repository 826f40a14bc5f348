// Tests of the vocabulary rules (src/vocab): device types, quality levels,
// country codes. These are the rules every reader shares; the readers' own
// tests check that they call them.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "vocab/country.h"
#include "vocab/device_type.h"
#include "vocab/quality.h"

namespace ws {
namespace {

TEST(DeviceTypeTest, NamesAreStableAndRoundTrip) {
  // The numeric values are stored on disk.
  EXPECT_EQ(static_cast<int>(DeviceType::kUnknown), 0);
  EXPECT_EQ(static_cast<int>(DeviceType::kTv), 1);
  EXPECT_EQ(static_cast<int>(DeviceType::kConsole), 6);
  EXPECT_EQ(static_cast<int>(DeviceType::kOther), 7);
  EXPECT_EQ(DeviceTypeName(DeviceType::kUnknown), "");
  for (DeviceType t : {DeviceType::kTv, DeviceType::kMobile, DeviceType::kTablet, DeviceType::kDesktop,
                       DeviceType::kWeb, DeviceType::kConsole, DeviceType::kOther}) {
    EXPECT_EQ(ParseDeviceType(DeviceTypeName(t)), t) << DeviceTypeName(t);
  }
}

// The divergence this module removes: the event parser read "Smart TV" and
// "phone" as other, the legacy CSV as tv and mobile.
TEST(DeviceTypeTest, CommonSpellingsMapToTheirType) {
  const std::map<std::string, DeviceType> cases = {
      {"Smart TV", DeviceType::kTv},
      {"smart-tv", DeviceType::kTv},
      {"smart_tv", DeviceType::kTv},
      {"SMARTTV", DeviceType::kTv},
      {"ctv", DeviceType::kTv},
      {"Television", DeviceType::kTv},
      {"TV", DeviceType::kTv},
      {"phone", DeviceType::kMobile},
      {"Smartphone", DeviceType::kMobile},
      {"mobile phone", DeviceType::kMobile},
      {"iPad", DeviceType::kTablet},
      {"laptop", DeviceType::kDesktop},
      {"PC", DeviceType::kDesktop},
      {"computer", DeviceType::kDesktop},
      {"browser", DeviceType::kWeb},
      {"Web Browser", DeviceType::kWeb},
      {"game console", DeviceType::kConsole},
      {"gaming-console", DeviceType::kConsole},
      {"Xbox", DeviceType::kConsole},
      {"PlayStation", DeviceType::kConsole},
      {" tv ", DeviceType::kTv},
  };
  for (const auto& [text, type] : cases) EXPECT_EQ(ParseDeviceType(text), type) << text;
}

TEST(DeviceTypeTest, UnknownTextIsOtherAndEmptyIsUnknown) {
  EXPECT_EQ(ParseDeviceType(""), DeviceType::kUnknown);
  EXPECT_EQ(ParseDeviceType("  "), DeviceType::kUnknown);
  EXPECT_EQ(ParseDeviceType("-"), DeviceType::kUnknown);
  // Platforms are not device types.
  for (const char* text : {"android", "ios", "tizen", "chrome", "fridge", "t v x", "tvs", "é"}) {
    EXPECT_EQ(ParseDeviceType(text), DeviceType::kOther) << text;
  }
  EXPECT_EQ(ParseDeviceType(std::string(200, 't')), DeviceType::kOther);
}

// The divergence this module removes: the event parser dropped "sd", "qhd"
// (with a bad_quality warning) and the legacy CSV accepted heights up to
// 10000.
TEST(QualityTest, NamesAndHeights) {
  const std::map<std::string, int32_t> good = {
      {"240p", 240},   {"360p", 360},     {"480p", 480},     {"720p", 720},      {"1080p", 1080},
      {"1440p", 1440}, {"2160p", 2160},   {"1080P", 1080},   {"1080", 1080},     {"576", 576},
      {"4K", 2160},    {"4k", 2160},      {"UHD", 2160},     {"Ultra HD", 2160}, {"HD", 720},
      {"FHD", 1080},   {"Full HD", 1080}, {"full_hd", 1080}, {"SD", 480},        {"sd", 480},
      {"QHD", 1440},   {"8640", 8640},    {"8640p", 8640},   {"1", 1},           {" 720p ", 720},
  };
  for (const auto& [text, height] : good) {
    EXPECT_EQ(ParseQualityName(text), std::optional<int32_t>(height)) << text;
  }
  for (const char* bad :
       {"",      " ",    "p", "0",     "0p",  "8641",   "9000",  "10000",  "99999999999999", "-720",
        "720.5", "best", "k", "1080i", "HD+", "２160p", "10 80", "1080 p", "+720",           "- 720"}) {
    EXPECT_FALSE(ParseQualityName(bad).has_value()) << bad;
  }
}

TEST(QualityTest, ValidHeightsAndLabels) {
  EXPECT_FALSE(IsValidQualityHeight(0));
  EXPECT_TRUE(IsValidQualityHeight(1));
  EXPECT_TRUE(IsValidQualityHeight(kMaxQualityHeight));
  EXPECT_FALSE(IsValidQualityHeight(9000));
  EXPECT_FALSE(IsValidQualityHeight(-1080));
  EXPECT_EQ(QualityLabel(0), "");
  EXPECT_EQ(QualityLabel(1080), "1080p");
  for (int32_t h = kMinQualityHeight; h <= kMaxQualityHeight; ++h) {
    ASSERT_EQ(ParseQualityName(QualityLabel(h)), std::optional<int32_t>(h)) << h;
  }
}

TEST(CountryCodeTest, TwoAsciiLettersUpperCased) {
  EXPECT_EQ(ParseCountryCode("kr")->str(), "KR");
  EXPECT_EQ(ParseCountryCode("Us")->view(), "US");
  EXPECT_EQ(*ParseCountryCode("DE"), *ParseCountryCode("de"));
  for (const char* bad : {"", "K", "KOR", "k1", "82", " kr", "kr ", "é", "K-"}) {
    EXPECT_FALSE(ParseCountryCode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ws
