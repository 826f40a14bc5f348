// libFuzzer target: EventParser and ParseRfc3339 must accept any bytes
// without crashing, and every non-blank NDJSON line must end in exactly one
// of OnEvent / OnReject.
//
// Build (not part of the default build), e.g.:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -DUSE_OS_TZDB=1 -I src
//     src/event/parser_fuzz.cc src/event/parser.cc src/event/event.cc
//     src/event/input.cc src/util/time.cc -lsimdjson -ldate-tz -lfmt -lz

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "event/parser.h"
#include "util/time.h"

namespace {

class CountingSink : public ws::EventSink {
 public:
  void OnEvent(const ws::Event& e, std::string_view, int64_t) override {
    ++outcomes;
    // Touch every string so that a dangling view is caught by ASan.
    size_t n = e.session_id.size() + e.user_id.size() + e.content_id.size() + e.event_id.size() +
               e.tz.size() + e.metadata.size() + e.device_id.size() + e.platform.size() +
               e.app_version.size();
    for (std::string_view s : {e.session_id, e.user_id, e.content_id, e.metadata}) {
      for (char c : s) n += static_cast<unsigned char>(c);
    }
    checksum += n;
  }
  void OnReject(ws::Rejection) override { ++outcomes; }
  void OnWarning(ws::WarningReason, int64_t) override {}
  size_t outcomes = 0;
  size_t checksum = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr ws::EpochMillis kNow{1790899200000};  // 2026-10-02T00:00:00Z
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::optional<int> offset;
  constexpr int64_t kYear0 = -62167219200000;      // 0000-01-01T00:00:00Z
  constexpr int64_t kYear10000 = 253402300800000;  // 10000-01-01T00:00:00Z
  if (auto t = ws::ParseRfc3339(text, &offset); t && t->v >= kYear0 && t->v < kYear10000) {
    // Whatever parses (and stays within four-digit years after its offset is
    // applied) must format and parse back to the same instant.
    auto again = ws::ParseRfc3339(ws::FormatRfc3339(*t), nullptr);
    if (!again || again->v != t->v) std::abort();
  }

  ws::EventParser parser(ws::ParserOptions{kNow});
  CountingSink sink;
  ws::Status st = parser.Parse(text, "fuzz", 1, &sink);
  (void)st;
  return 0;
}
