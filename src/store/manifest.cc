// MANIFEST of format v2 (store/manifest.h).
#include "store/manifest.h"

#include <cinttypes>
#include <cstdio>

#include "store/encoding.h"
#include "util/checksum.h"
#include "util/env.h"

namespace ws::store {
namespace {

constexpr size_t kChecksumBytes = 8;
constexpr int kFileNumberDigits = 6;
constexpr uint8_t kFlagBase = 1;
constexpr uint8_t kMaxPartitionKind = static_cast<uint8_t>(PartitionKind::kDay);
// Smallest encoding of one file entry; bounds counts before allocating.
constexpr size_t kMinFileEntryBytes = 1 + 1 + 1 + 1 + 1 + 1 + 8;

Status Corrupt(const std::string& what) { return Status::Corruption(what); }

std::string Number(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*" PRIu64, kFileNumberDigits, n);
  return buf;
}

std::optional<uint64_t> ParseDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

ManifestTable* Manifest::FindTable(std::string_view name) {
  for (ManifestTable& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const ManifestTable* Manifest::FindTable(std::string_view name) const {
  for (const ManifestTable& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string ManifestFileName(uint64_t number) { return std::string(kManifestPrefix) + Number(number); }

std::optional<uint64_t> ParseManifestFileName(std::string_view name) {
  if (name.substr(0, kManifestPrefix.size()) != kManifestPrefix) return std::nullopt;
  return ParseDigits(name.substr(kManifestPrefix.size()));
}

std::string TableFilePath(std::string_view table, PartitionKind kind, const FileMeta& f) {
  std::string out(table);
  out += '/';
  if (kind != PartitionKind::kNone) {
    out += PartitionName(kind, f.partition);
    out += '-';
  }
  out += Number(f.number);
  out += kTableFileExtension;
  return out;
}

std::optional<uint64_t> ParseTableFileName(std::string_view name) {
  if (name.size() <= kTableFileExtension.size() ||
      name.substr(name.size() - kTableFileExtension.size()) != kTableFileExtension || IsTempFileName(name)) {
    return std::nullopt;
  }
  name.remove_suffix(kTableFileExtension.size());
  size_t dash = name.find_last_of('-');
  return ParseDigits(dash == std::string_view::npos ? name : name.substr(dash + 1));
}

std::string EncodeManifest(const Manifest& m) {
  ByteSink s;
  s.PutBytes(kManifestMagic2.data(), kManifestMagic2.size());
  s.PutFixed32(kManifestVersion2);
  s.PutFixed64(m.number);
  s.PutFixed64(m.next_file_number);
  s.PutFixed64(m.last_seq);
  s.PutFixed64(m.log_covered_seq);
  s.PutString(m.app_state);
  s.PutVarint(m.tables.size());
  for (const ManifestTable& t : m.tables) {
    s.PutString(t.name);
    s.PutU8(static_cast<uint8_t>(t.mode));
    s.PutU8(static_cast<uint8_t>(t.partitions));
    s.PutVarint(t.files.size());
    for (const FileMeta& f : t.files) {
      s.PutVarint(f.number);
      s.PutZigZag(f.partition);
      s.PutVarint(f.seq);
      s.PutU8(f.base ? kFlagBase : 0);
      s.PutVarint(f.rows);
      s.PutVarint(f.size);
      s.PutFixed64(f.checksum);
    }
  }
  std::string out = s.Finish();
  char b[kChecksumBytes];
  StoreFixed64(b, Checksum64(out));
  out.append(b, sizeof b);
  return out;
}

void RepairManifestChecksumForTesting(std::string* bytes) {
  if (bytes->size() < kChecksumBytes) return;
  const size_t body = bytes->size() - kChecksumBytes;
  StoreFixed64(bytes->data() + body, Checksum64(bytes->data(), body));
}

Result<Manifest> DecodeManifest(std::string_view bytes) {
  if (bytes.size() < kManifestMagic2.size() + 4 + kChecksumBytes) return Corrupt("manifest is too short");
  if (bytes.substr(0, kManifestMagic2.size()) != kManifestMagic2)
    return Corrupt("manifest magic bytes are wrong");
  std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  if (Checksum64(body) != LoadFixed64(bytes.data() + body.size()))
    return Corrupt("manifest checksum mismatch");
  ByteSource s(body.substr(kManifestMagic2.size()));
  uint32_t version = 0;
  Manifest m;
  std::string_view app_state;
  uint64_t ntables = 0;
  if (!s.GetFixed32(&version)) return Corrupt("manifest is malformed");
  if (version != kManifestVersion2) return Corrupt("unsupported manifest version " + std::to_string(version));
  if (!s.GetFixed64(&m.number) || !s.GetFixed64(&m.next_file_number) || !s.GetFixed64(&m.last_seq) ||
      !s.GetFixed64(&m.log_covered_seq) || !s.GetString(&app_state) || !s.GetVarint(&ntables) ||
      ntables > s.remaining()) {
    return Corrupt("manifest is malformed");
  }
  m.app_state = std::string(app_state);
  for (uint64_t t = 0; t < ntables; ++t) {
    ManifestTable table;
    std::string_view name;
    uint8_t mode = 0;
    uint8_t kind = 0;
    uint64_t nfiles = 0;
    if (!s.GetString(&name) || name.empty() || !s.GetU8(&mode) ||
        (mode != static_cast<uint8_t>(TableMode::kAppend) &&
         mode != static_cast<uint8_t>(TableMode::kKeyed)) ||
        !s.GetU8(&kind) || kind > kMaxPartitionKind || !s.GetVarint(&nfiles) ||
        nfiles > s.remaining() / kMinFileEntryBytes) {
      return Corrupt("manifest table list is malformed");
    }
    table.name = std::string(name);
    table.mode = static_cast<TableMode>(mode);
    table.partitions = static_cast<PartitionKind>(kind);
    table.files.reserve(static_cast<size_t>(nfiles));
    for (uint64_t i = 0; i < nfiles; ++i) {
      FileMeta f;
      int64_t partition = 0;
      uint8_t flags = 0;
      if (!s.GetVarint(&f.number) || !s.GetZigZag(&partition) || !s.GetVarint(&f.seq) || !s.GetU8(&flags) ||
          !s.GetVarint(&f.rows) || !s.GetVarint(&f.size) || !s.GetFixed64(&f.checksum)) {
        return Corrupt("manifest file list is malformed");
      }
      if (partition < INT32_MIN || partition > INT32_MAX || (flags & ~kFlagBase) != 0) {
        return Corrupt("manifest file list is malformed");
      }
      if (f.number >= m.next_file_number) return Corrupt("manifest names a file number beyond its counter");
      if (f.seq > m.last_seq) return Corrupt("manifest names a file newer than its last commit");
      f.partition = static_cast<int32_t>(partition);
      f.base = (flags & kFlagBase) != 0;
      table.files.push_back(f);
    }
    m.tables.push_back(std::move(table));
  }
  if (!s.done()) return Corrupt("manifest has trailing bytes");
  return m;
}

}  // namespace ws::store
