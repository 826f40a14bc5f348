#include "session/ingest_state.h"

#include "store/encoding.h"

namespace ws {
namespace {

constexpr uint8_t kStateVersion = 1;
constexpr uint8_t kFlagWatermark = 1;
constexpr uint8_t kFlagUpgraded = 2;

void PutCounters(store::ByteSink* s, const std::map<std::string, uint64_t>& m) {
  s->PutVarint(m.size());
  for (const auto& [k, v] : m) {
    s->PutString(k);
    s->PutVarint(v);
  }
}

bool GetCounters(store::ByteSource* s, std::map<std::string, uint64_t>* m) {
  uint64_t n = 0;
  if (!s->GetVarint(&n) || n > s->remaining()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view k;
    uint64_t v = 0;
    if (!s->GetString(&k) || !s->GetVarint(&v)) return false;
    (*m)[std::string(k)] = v;
  }
  return true;
}

}  // namespace

std::string EncodeIngestState(const IngestState& st) {
  store::ByteSink s;
  s.PutU8(kStateVersion);
  s.PutU8((st.watermark ? kFlagWatermark : 0) | (st.upgraded_from_v1 ? kFlagUpgraded : 0));
  s.PutZigZag(st.watermark ? st.watermark->v : 0);
  s.PutVarint(st.events_accepted);
  s.PutVarint(st.events_duplicate);
  PutCounters(&s, st.rejected_by_reason);
  PutCounters(&s, st.warnings_by_reason);
  return s.Finish();
}

Result<IngestState> DecodeIngestState(std::string_view bytes) {
  IngestState st;
  if (bytes.empty()) return st;
  store::ByteSource s(bytes);
  uint8_t version = 0, flags = 0;
  int64_t watermark = 0;
  if (!s.GetU8(&version) || version != kStateVersion || !s.GetU8(&flags) ||
      (flags & ~(kFlagWatermark | kFlagUpgraded)) != 0 || !s.GetZigZag(&watermark) ||
      !s.GetVarint(&st.events_accepted) || !s.GetVarint(&st.events_duplicate) ||
      !GetCounters(&s, &st.rejected_by_reason) || !GetCounters(&s, &st.warnings_by_reason) || !s.done()) {
    return Status::Corruption("the ingest state in the manifest is malformed");
  }
  if (flags & kFlagWatermark) st.watermark = EpochMillis{watermark};
  st.upgraded_from_v1 = (flags & kFlagUpgraded) != 0;
  return st;
}

}  // namespace ws
