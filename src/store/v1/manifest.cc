#include "store/v1/manifest.h"

#include <cinttypes>
#include <cstdio>

#include "store/encoding.h"
#include "store/v1/table.h"
#include "util/checksum.h"
#include "util/time.h"

namespace ws::store::v1 {
namespace {

constexpr size_t kChecksumBytes = 8;
constexpr size_t kCurrentBytes = kMagicBytes + 4 + 8 + kChecksumBytes;
constexpr uint8_t kMaxFileKind = static_cast<uint8_t>(FileKind::kQuarantine);
// Bytes of one live-file entry; bounds the entry count before allocating.
constexpr size_t kLiveFileBytes = 1 + 4 + 8 + 8 + 8;
constexpr int kFileNumberDigits = 6;
constexpr char kCurrentName[] = "CURRENT";
constexpr const char* kDataDirs[] = {"events", "sessions", "quarantine"};
constexpr const char* kDataExts[] = {".wse", ".wss", ".wsq"};

Status Corrupt(const std::string& what) { return Status::Corruption(what); }

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

std::string DayDirName(DayNumber d) { return FormatDate(d); }

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
  m.state.watermark = static_cast<int64_t>(watermark);
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

bool IsV1Store(Env* env, const std::string& dir) { return env->PathExists(JoinPath(dir, kCurrentName)); }

Result<Manifest> ReadLiveManifest(Env* env, const std::string& dir) {
  const std::string current_path = JoinPath(dir, kCurrentName);
  WS_ASSIGN_OR_RETURN(std::string current, env->ReadFile(current_path));
  Result<uint64_t> number = DecodeCurrent(current);
  if (!number.ok())
    return Status::Corruption("corrupt store file " + current_path + ": " + number.status().message());
  const std::string manifest_path = JoinPath(dir, ManifestFileName(*number));
  Result<std::string> bytes = env->ReadFile(manifest_path);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      return Status::Corruption("store file " + manifest_path + " is missing although " + current_path +
                                " names it");
    }
    return bytes.status();
  }
  Result<Manifest> m = DecodeManifest(*bytes);
  if (!m.ok()) return Status::Corruption("corrupt store file " + manifest_path + ": " + m.status().message());
  if (m->number != *number) {
    return Status::Corruption("corrupt store file " + manifest_path + ": it says it is manifest " +
                              std::to_string(m->number));
  }
  for (const LiveFile& f : m->files) {
    std::string path = JoinPath(dir, RelativePath(f));
    Result<uint64_t> size = env->FileSize(path);
    if (!size.ok()) {
      if (size.status().code() == StatusCode::kNotFound) {
        return Status::Corruption("store file " + path + " is missing although " + manifest_path +
                                  " lists it");
      }
      return size.status();
    }
    if (*size != f.size) {
      return Status::Corruption("corrupt store file " + path + ": it has " + std::to_string(*size) +
                                " bytes, the manifest says " + std::to_string(f.size) + " (truncated?)");
    }
  }
  return m;
}

Result<std::string> ReadLiveFile(Env* env, const std::string& dir, const LiveFile& f) {
  const std::string path = JoinPath(dir, RelativePath(f));
  WS_ASSIGN_OR_RETURN(std::string data, env->ReadFile(path));
  if (data.size() != f.size) {
    return Status::Corruption("corrupt store file " + path + ": it has " + std::to_string(data.size()) +
                              " bytes, the manifest says " + std::to_string(f.size) + " (truncated?)");
  }
  if (Checksum64(data) != f.checksum)
    return Status::Corruption("corrupt store file " + path + ": checksum mismatch");
  return data;
}

Status RemoveV1Files(Env* env, const std::string& dir) {
  auto is_v1_data = [](std::string_view name) {
    for (const char* ext : kDataExts) {
      std::string_view e(ext);
      if (name.size() >= e.size() && name.substr(name.size() - e.size()) == e) return true;
    }
    return false;
  };
  for (const char* sub : kDataDirs) {
    const std::string table_dir = JoinPath(dir, sub);
    if (!env->IsDirectory(table_dir)) continue;
    WS_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, env->ListDir(table_dir));
    for (const DirEntry& e : entries) {
      const std::string path = JoinPath(table_dir, e.name);
      if (!e.is_dir) {
        if (is_v1_data(e.name)) WS_RETURN_IF_ERROR(env->RemoveFile(path));
        continue;
      }
      // A day directory of version 1: DIR/events/<day>/<n>.wse.
      WS_ASSIGN_OR_RETURN(std::vector<DirEntry> inner, env->ListDir(path));
      for (const DirEntry& f : inner) {
        if (!f.is_dir && (is_v1_data(f.name) || IsTempFileName(f.name))) {
          WS_RETURN_IF_ERROR(env->RemoveFile(JoinPath(path, f.name)));
        }
      }
      WS_ASSIGN_OR_RETURN(std::vector<DirEntry> left, env->ListDir(path));
      if (left.empty()) WS_RETURN_IF_ERROR(env->RemoveDir(path));
    }
    WS_RETURN_IF_ERROR(env->SyncDir(table_dir));
  }
  // Version-1 manifests: named like version-2 ones, told apart by magic.
  WS_ASSIGN_OR_RETURN(std::vector<DirEntry> top, env->ListDir(dir));
  for (const DirEntry& e : top) {
    if (e.is_dir || e.name.rfind("MANIFEST-", 0) != 0 || IsTempFileName(e.name)) continue;
    const std::string path = JoinPath(dir, e.name);
    WS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f, env->NewRandomAccessFile(path));
    std::string magic;
    if (f->size() >= kManifestMagic.size() && f->Read(0, kManifestMagic.size(), &magic).ok() &&
        magic == kManifestMagic) {
      WS_RETURN_IF_ERROR(env->RemoveFile(path));
    }
  }
  return env->SyncDir(dir);
}

}  // namespace ws::store::v1
