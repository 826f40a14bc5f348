// Playback quality levels (SPEC 1 `quality`, SPEC 3.3 `quality_level`): the
// one definition of the names, their pixel heights and the valid range,
// used by every reader (event parser, legacy sessions CSV).
//
// A quality is kept as its pixel height (an int32_t, 0 = absent); names are
// only an input and display form.
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ws {

// Lowest and highest readable pixel height. 8640 is 16K (15360 x 8640), the
// tallest resolution any video standard defines; anything taller is a bad
// value, not a rendition.
constexpr int32_t kMinQualityHeight = 1;
constexpr int32_t kMaxQualityHeight = 8640;

// True when `height` is a pixel height in [kMinQualityHeight,
// kMaxQualityHeight] (for quality given as a JSON integer).
constexpr bool IsValidQualityHeight(int64_t height) {
  return height >= kMinQualityHeight && height <= kMaxQualityHeight;
}

// Reads a quality name, ignoring ASCII case and blanks around it. Accepted:
//   "<height>" or "<height>p"   digits only, e.g. "1080", "1080p", "576P"
//                               (any valid height)
//   SD 480   HD 720   FHD / Full HD 1080   QHD 1440   4K / UHD / Ultra HD 2160
//                               (the separators ' ', '-', '_' inside a name
//                               are ignored: "Full HD" == "full_hd" == "fullhd")
// Guarantees: the pixel height, IsValidQualityHeight(*result).
// Failure: nullopt when the text is none of these (or the height is out of
// range). Allocation-free.
std::optional<int32_t> ParseQualityName(std::string_view text);

// The canonical display name of a height: "1080p". "" for 0 (absent).
// ParseQualityName(QualityLabel(h)) == h for every valid h.
std::string QualityLabel(int32_t height);

}  // namespace ws
