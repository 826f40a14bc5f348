// libFuzzer target: the store's file decoders must reject any bytes that are
// not a valid file with a Status, never crash, hang or read out of bounds.
// The first byte picks the decoder; the rest is the file.
//
// Build with the opt-in CMake option (clang only):
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DWS_BUILD_FUZZ=ON && cmake --build build-fuzz
//   build-fuzz/segment_fuzz -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "store/v1/manifest.h"
#include "store/v1/segment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr int kDecoders = 5;
  switch (data[0] % kDecoders) {
    case 0: {
      ws::EventBlock block;
      (void)ws::store::v1::DecodeEventSegment(file, &block);
      break;
    }
    case 1: {
      std::vector<ws::SessionRecord> sessions;
      (void)ws::store::v1::DecodeSessionSegment(file, &sessions);
      break;
    }
    case 2: {
      std::vector<ws::Rejection> rejections;
      (void)ws::store::v1::DecodeQuarantine(file, &rejections);
      break;
    }
    case 3:
      (void)ws::store::v1::DecodeManifest(file);
      break;
    default:
      (void)ws::store::v1::DecodeCurrent(file);
      break;
  }
  return 0;
}
