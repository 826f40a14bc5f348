#include "store/v1/manifest.h"

#include <cinttypes>
#include <cstdio>

#include "store/encoding.h"
#include "store/v1/table.h"
#include "util/checksum.h"

namespace ws::store::v1 {
namespace {

constexpr size_t kChecksumBytes = 8;
constexpr size_t kCurrentBytes = kMagicBytes + 4 + 8 + kChecksumBytes;
constexpr uint8_t kMaxFileKind = static_cast<uint8_t>(FileKind::kQuarantine);
// Bytes of one live-file entry; bounds the entry count before allocating.
constexpr size_t kLiveFileBytes = 1 + 4 + 8 + 8 + 8;
constexpr int kFileNumberDigits = 6;

Status Corrupt(const std::string& what) { return Status::Corruption(what); }

void PutCounterMap(ByteSink* s, const std::map<std::string, uint64_t>& m) {
  s->PutFixed32(static_cast<uint32_t>(m.size()));
  for (const auto& [k, v] : m) {
    s->PutFixed32(static_cast<uint32_t>(k.size()));
    s->PutBytes(k.data(), k.size());
    s->PutFixed64(v);
  }
}

bool GetCounterMap(ByteSource* s, std::map<std::string, uint64_t>* m) {
  uint32_t n;
  if (!s->GetFixed32(&n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t len;
    std::string_view k;
    uint64_t v;
    if (!s->GetFixed32(&len) || !s->GetBytes(len, &k) || !s->GetFixed64(&v)) return false;
    (*m)[std::string(k)] = v;
  }
  return true;
}

const char* KindDir(FileKind k) {
  switch (k) {
    case FileKind::kEvents:
      return "events";
    case FileKind::kSessions:
      return "sessions";
    case FileKind::kQuarantine:
      return "quarantine";
  }
  return "unknown";
}

const char* KindExt(FileKind k) {
  switch (k) {
    case FileKind::kEvents:
      return ".wse";
    case FileKind::kSessions:
      return ".wss";
    case FileKind::kQuarantine:
      return ".wsq";
  }
  return ".unknown";
}

std::string FileNumber(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*" PRIu64, kFileNumberDigits, n);
  return buf;
}

}  // namespace

std::string DayDirName(DayNumber d) {
  // Howard Hinnant's civil_from_days.
  constexpr int64_t kDaysPer400Years = 146097;
  constexpr int64_t kEpochShift = 719468;  // days from 0000-03-01 to 1970-01-01
  int64_t z = int64_t{d.v} + kEpochShift;
  const int64_t era = (z >= 0 ? z : z - (kDaysPer400Years - 1)) / kDaysPer400Years;
  const int64_t doe = z - era * kDaysPer400Years;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / (kDaysPer400Years - 1)) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  if (month <= 2) ++y;
  constexpr size_t kDateBufferBytes = 64;
  char buf[kDateBufferBytes];
  std::snprintf(buf, sizeof buf, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, y, month, day);
  return buf;
}

std::string RelativePath(const LiveFile& f) {
  std::string out = KindDir(f.kind);
  out += '/';
  if (f.kind != FileKind::kQuarantine) {
    out += DayDirName(f.day);
    out += '/';
  }
  out += FileNumber(f.number);
  out += KindExt(f.kind);
  return out;
}

std::string ManifestFileName(uint64_t number) { return "MANIFEST-" + FileNumber(number); }

std::string EncodeManifest(const Manifest& m) {
  ByteSink s;
  s.PutBytes(kManifestMagic.data(), kMagicBytes);
  s.PutFixed32(kFormatVersion);
  s.PutFixed64(m.number);
  s.PutFixed64(m.next_file_number);
  s.PutFixed64(static_cast<uint64_t>(m.state.watermark.v));
  s.PutFixed64(m.state.events_accepted);
  s.PutFixed64(m.state.events_duplicate);
  PutCounterMap(&s, m.state.rejected_by_reason);
  PutCounterMap(&s, m.state.warnings_by_reason);
  s.PutFixed32(static_cast<uint32_t>(m.files.size()));
  for (const LiveFile& f : m.files) {
    s.PutU8(static_cast<uint8_t>(f.kind));
    s.PutFixed32(static_cast<uint32_t>(f.day.v));
    s.PutFixed64(f.number);
    s.PutFixed64(f.size);
    s.PutFixed64(f.checksum);
  }
  std::string out = s.Finish();
  char b[kChecksumBytes];
  StoreFixed64(b, Checksum64(out));
  out.append(b, sizeof b);
  return out;
}

Result<Manifest> DecodeManifest(std::string_view bytes) {
  if (bytes.size() < kMagicBytes + 4 + kChecksumBytes) return Corrupt("manifest is too short");
  if (bytes.substr(0, kMagicBytes) != kManifestMagic) return Corrupt("manifest magic bytes are wrong");
  std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  if (Checksum64(body) != LoadFixed64(bytes.data() + body.size()))
    return Corrupt("manifest checksum mismatch");
  ByteSource s(body.substr(kMagicBytes));
  uint32_t version;
  Manifest m;
  uint64_t watermark;
  if (!s.GetFixed32(&version)) return Corrupt("manifest is malformed");
  if (version != kFormatVersion) return Corrupt("unsupported manifest version " + std::to_string(version));
  if (!s.GetFixed64(&m.number) || !s.GetFixed64(&m.next_file_number) || !s.GetFixed64(&watermark) ||
      !s.GetFixed64(&m.state.events_accepted) || !s.GetFixed64(&m.state.events_duplicate) ||
      !GetCounterMap(&s, &m.state.rejected_by_reason) || !GetCounterMap(&s, &m.state.warnings_by_reason)) {
    return Corrupt("manifest is malformed");
  }
  m.state.watermark.v = static_cast<int64_t>(watermark);
  uint32_t files;
  if (!s.GetFixed32(&files) || files > s.remaining() / kLiveFileBytes)
    return Corrupt("manifest file list is malformed");
  m.files.reserve(files);
  for (uint32_t i = 0; i < files; ++i) {
    uint8_t kind;
    uint32_t day;
    LiveFile f;
    if (!s.GetU8(&kind) || !s.GetFixed32(&day) || !s.GetFixed64(&f.number) || !s.GetFixed64(&f.size) ||
        !s.GetFixed64(&f.checksum)) {
      return Corrupt("manifest file list is malformed");
    }
    if (kind == 0 || kind > kMaxFileKind) return Corrupt("manifest names a file of unknown kind");
    if (f.number >= m.next_file_number) return Corrupt("manifest names a file number beyond its counter");
    f.kind = static_cast<FileKind>(kind);
    f.day.v = static_cast<int32_t>(day);
    m.files.push_back(f);
  }
  if (!s.done()) return Corrupt("manifest has trailing bytes");
  return m;
}

std::string EncodeCurrent(uint64_t manifest_number) {
  ByteSink s;
  s.PutBytes(kCurrentMagic.data(), kMagicBytes);
  s.PutFixed32(kFormatVersion);
  s.PutFixed64(manifest_number);
  std::string out = s.Finish();
  char b[kChecksumBytes];
  StoreFixed64(b, Checksum64(out));
  out.append(b, sizeof b);
  return out;
}

Result<uint64_t> DecodeCurrent(std::string_view bytes) {
  if (bytes.size() != kCurrentBytes) return Corrupt("CURRENT has the wrong size");
  if (bytes.substr(0, kMagicBytes) != kCurrentMagic) return Corrupt("CURRENT magic bytes are wrong");
  if (Checksum64(bytes.data(), kCurrentBytes - kChecksumBytes) !=
      LoadFixed64(bytes.data() + kCurrentBytes - kChecksumBytes)) {
    return Corrupt("CURRENT checksum mismatch");
  }
  ByteSource s(bytes.substr(kMagicBytes));
  uint32_t version;
  uint64_t number;
  if (!s.GetFixed32(&version) || !s.GetFixed64(&number)) return Corrupt("CURRENT is malformed");
  if (version != kFormatVersion) return Corrupt("unsupported CURRENT version " + std::to_string(version));
  return number;
}

}  // namespace ws::store::v1
