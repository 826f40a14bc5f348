// The write-ahead log (store/wal.h).
#include "store/wal.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <optional>

#include "store/compress.h"
#include "store/encoding.h"
#include "util/checksum.h"

namespace ws::store {
namespace {

constexpr size_t kFileHeaderBytes = 32;  // magic, version, reserved, log number, checksum
constexpr size_t kFileHeaderChecksummed = 24;
constexpr size_t kRecordHeaderBytes =
    33;  // length, codec, raw length, seq, payload checksum, header checksum
constexpr size_t kRecordHeaderChecksummed = 25;
constexpr size_t kRecordSeqAt = 9;          // offset of the sequence number in a record header
constexpr size_t kRecordPayloadSumAt = 17;  // offset of the payload checksum
constexpr uint8_t kCodecRaw = 0;
constexpr uint8_t kCodecZstd = 1;
constexpr uint32_t kMaxRecordBytes = uint32_t{1} << 30;
constexpr int kLogNumberDigits = 6;

std::string LogName(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*" PRIu64 "%s", kLogNumberDigits, number,
                std::string(kWalExtension).c_str());
  return buf;
}

std::optional<uint64_t> ParseLogName(std::string_view name) {
  if (name.size() <= kWalExtension.size() ||
      name.substr(name.size() - kWalExtension.size()) != kWalExtension || IsTempFileName(name)) {
    return std::nullopt;
  }
  name.remove_suffix(kWalExtension.size());
  if (name.empty() || name.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::string FileHeader(uint64_t number) {
  ByteSink s;
  s.PutBytes(kWalMagic.data(), kWalMagic.size());
  s.PutFixed32(kWalVersion);
  s.PutFixed32(0);
  s.PutFixed64(number);
  std::string h = s.Finish();
  char b[8];
  StoreFixed64(b, Checksum64(h));
  h.append(b, sizeof b);
  return h;
}

Result<std::vector<uint64_t>> ListLogs(Env* env, const std::string& wal_dir) {
  std::vector<uint64_t> out;
  if (!env->IsDirectory(wal_dir)) return out;
  WS_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, env->ListDir(wal_dir));
  for (const DirEntry& e : entries) {
    if (auto n = ParseLogName(e.name)) out.push_back(*n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

struct WalWriter::Waiter {
  std::string record;  // header (seq and header checksum filled by the leader) + stored payload
  uint64_t seq = 0;
  Status status;
  bool done = false;
};

Result<WalRecoveryReport> RecoverWal(
    Env* env, const std::string& dir, uint64_t after_seq,
    const std::function<Status(uint64_t seq, std::string_view payload)>& fn) {
  const std::string wal_dir = JoinPath(dir, kWalDir);
  WalRecoveryReport report;
  WS_ASSIGN_OR_RETURN(std::vector<uint64_t> logs, ListLogs(env, wal_dir));
  uint64_t prev_seq = 0;
  std::string payload;
  for (size_t li = 0; li < logs.size(); ++li) {
    const bool newest = li + 1 == logs.size();
    const std::string path = JoinPath(wal_dir, LogName(logs[li]));
    WS_ASSIGN_OR_RETURN(std::string data, env->ReadFile(path));
    ++report.files;
    auto corrupt = [&](const std::string& what) {
      return Status::Corruption("corrupt write-ahead log " + path + ": " + what);
    };
    // Cuts the file back to `clean` bytes when it is the newest one (a torn
    // tail); otherwise the damage is real.
    auto torn = [&](size_t clean, const std::string& what) -> Status {
      if (!newest) return corrupt(what);
      report.torn_bytes = data.size() - clean;
      report.torn_file = path;
      if (clean < kFileHeaderBytes) return env->RemoveFile(path);
      WS_RETURN_IF_ERROR(env->TruncateFile(path, clean));
      WS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env->NewAppendableFile(path));
      WS_RETURN_IF_ERROR(f->Sync());
      return f->Close();
    };
    if (data.size() < kFileHeaderBytes) {
      WS_RETURN_IF_ERROR(torn(0, "the file header is incomplete"));
      continue;
    }
    if (std::string_view(data).substr(0, kWalMagic.size()) != kWalMagic ||
        Checksum64(data.data(), kFileHeaderChecksummed) !=
            LoadFixed64(data.data() + kFileHeaderChecksummed)) {
      WS_RETURN_IF_ERROR(torn(0, "the file header is damaged"));
      continue;
    }
    ByteSource hs(std::string_view(data).substr(kWalMagic.size(), 16));
    uint32_t version = 0, reserved = 0;
    uint64_t number = 0;
    if (!hs.GetFixed32(&version) || !hs.GetFixed32(&reserved) || !hs.GetFixed64(&number) ||
        version != kWalVersion || number != logs[li]) {
      return corrupt("unsupported version or wrong log number in the header");
    }
    size_t pos = kFileHeaderBytes;
    const uint64_t seq_before_file = prev_seq;
    while (pos < data.size()) {
      if (data.size() - pos < kRecordHeaderBytes) {
        WS_RETURN_IF_ERROR(torn(pos, "a record header is incomplete"));
        break;
      }
      const char* h = data.data() + pos;
      if (Checksum64(h, kRecordHeaderChecksummed) != LoadFixed64(h + kRecordHeaderChecksummed)) {
        WS_RETURN_IF_ERROR(torn(pos, "a record header checksum does not match"));
        break;
      }
      ByteSource rs(std::string_view(h, kRecordHeaderChecksummed));
      uint32_t stored = 0, raw = 0;
      uint8_t codec = 0;
      uint64_t seq = 0, payload_sum = 0;
      if (!rs.GetFixed32(&stored) || !rs.GetU8(&codec) || !rs.GetFixed32(&raw) || !rs.GetFixed64(&seq) ||
          !rs.GetFixed64(&payload_sum) || codec > kCodecZstd || stored > kMaxRecordBytes ||
          raw > kMaxRecordBytes) {
        return corrupt("a record header is malformed");
      }
      if (data.size() - pos - kRecordHeaderBytes < stored) {
        WS_RETURN_IF_ERROR(torn(pos, "a record is incomplete"));
        break;
      }
      std::string_view body(h + kRecordHeaderBytes, stored);
      if (Checksum64(body) != payload_sum) {
        WS_RETURN_IF_ERROR(torn(pos, "a record checksum does not match"));
        break;
      }
      if (seq <= prev_seq) return corrupt("record sequence numbers go backwards");
      prev_seq = seq;
      report.last_seq = seq;
      if (seq > after_seq) {
        std::string_view p = body;
        if (codec == kCodecZstd) {
          Status st = ZstdDecompress(body, raw, &payload);
          if (!st.ok()) return corrupt(st.message());
          p = payload;
        } else if (raw != stored) {
          return corrupt("a stored record has two lengths");
        }
        WS_RETURN_IF_ERROR(fn(seq, p));
        ++report.records;
      } else {
        ++report.skipped;
      }
      pos += kRecordHeaderBytes + stored;
    }
    if (env->PathExists(path))
      report.file_last_seq.emplace_back(logs[li], prev_seq == seq_before_file ? 0 : prev_seq);
  }
  return report;
}

void RepairWalChecksumsForTesting(std::string* log) {
  std::string& d = *log;
  if (d.size() < kFileHeaderBytes) return;
  StoreFixed64(d.data() + kFileHeaderChecksummed, Checksum64(d.data(), kFileHeaderChecksummed));
  size_t pos = kFileHeaderBytes;
  while (d.size() - pos >= kRecordHeaderBytes) {
    char* h = d.data() + pos;
    ByteSource rs(std::string_view(h, sizeof(uint32_t)));
    uint32_t stored = 0;
    (void)rs.GetFixed32(&stored);  // four bytes are there
    const bool complete = d.size() - pos - kRecordHeaderBytes >= stored;
    if (complete) StoreFixed64(h + kRecordPayloadSumAt, Checksum64(h + kRecordHeaderBytes, stored));
    StoreFixed64(h + kRecordHeaderChecksummed, Checksum64(h, kRecordHeaderChecksummed));
    if (!complete) return;
    pos += kRecordHeaderBytes + stored;
  }
}

WalWriter::WalWriter(Passkey, Env* env, std::string dir, uint64_t next_seq, WalOptions options)
    : env_(env), dir_(std::move(dir)), options_(options), next_seq_(next_seq) {}

WalWriter::~WalWriter() {
  if (file_ != nullptr) (void)file_->Close();  // every acknowledged record is already durable
}

Result<std::unique_ptr<WalWriter>> WalWriter::Open(Env* env, const std::string& dir,
                                                   const WalRecoveryReport& recovered, uint64_t next_seq,
                                                   WalOptions options) {
  if (next_seq <= recovered.last_seq) {
    return Status::InvalidArgument("the write-ahead log must continue after sequence " +
                                   std::to_string(recovered.last_seq));
  }
  const std::string wal_dir = JoinPath(dir, kWalDir);
  WS_RETURN_IF_ERROR(env->MakeDirs(wal_dir));
  auto w = std::make_unique<WalWriter>(Passkey{}, env, wal_dir, next_seq, options);
  WS_ASSIGN_OR_RETURN(std::vector<uint64_t> logs, ListLogs(env, wal_dir));
  for (uint64_t n : logs) {
    uint64_t last = 0;
    for (const auto& [number, seq] : recovered.file_last_seq) {
      if (number == n) last = seq;
    }
    w->files_.push_back(LogFile{n, last});
  }
  w->file_number_ = logs.empty() ? 1 : logs.back() + 1;
  std::lock_guard<std::mutex> l(w->mu_);
  WS_RETURN_IF_ERROR(w->StartFile());
  return w;
}

Status WalWriter::StartFile() {
  if (file_ != nullptr) {
    WS_RETURN_IF_ERROR(file_->Close());
    files_.push_back(LogFile{file_number_, next_seq_ - 1});
    ++file_number_;
  }
  const std::string path = JoinPath(dir_, LogName(file_number_));
  WS_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(path));
  std::string header = FileHeader(file_number_);
  WS_RETURN_IF_ERROR(file_->Append(header));
  WS_RETURN_IF_ERROR(file_->Sync());
  WS_RETURN_IF_ERROR(env_->SyncDir(dir_));
  file_bytes_ = header.size();
  return Status::Ok();
}

Result<uint64_t> WalWriter::Append(std::string_view payload) {
  if (payload.size() > kMaxRecordBytes) {
    return Status::InvalidArgument("a write-ahead log record may hold at most 1 GiB");
  }
  Waiter w;
  // Compress and checksum in the caller's thread, outside the lock.
  std::string compressed;
  std::string_view stored = payload;
  uint8_t codec = kCodecRaw;
  if (options_.compress && !payload.empty()) {
    WS_RETURN_IF_ERROR(ZstdCompress(payload, &compressed));
    if (compressed.size() < payload.size()) {
      stored = compressed;
      codec = kCodecZstd;
    }
  }
  w.record.resize(kRecordHeaderBytes);
  ByteSink h;
  h.PutFixed32(static_cast<uint32_t>(stored.size()));
  h.PutU8(codec);
  h.PutFixed32(static_cast<uint32_t>(payload.size()));
  std::string head = h.Finish();
  std::copy(head.begin(), head.end(), w.record.begin());
  StoreFixed64(w.record.data() + kRecordPayloadSumAt, Checksum64(stored));
  w.record.append(stored);

  std::unique_lock<std::mutex> l(mu_);
  queue_.push_back(&w);
  cv_.wait(l, [&] { return w.done || queue_.front() == &w; });
  if (w.done) {
    if (!w.status.ok()) return w.status;
    return w.seq;
  }
  // The leader: write every waiting record in one go.
  if (!error_.ok()) {
    w.done = true;
    queue_.pop_front();
    cv_.notify_all();
    return error_;
  }
  std::vector<Waiter*> group;
  size_t bytes = 0;
  for (Waiter* q : queue_) {
    if (!group.empty() && bytes + q->record.size() > options_.max_group_bytes) break;
    q->seq = next_seq_++;
    StoreFixed64(q->record.data() + kRecordSeqAt, q->seq);
    StoreFixed64(q->record.data() + kRecordHeaderChecksummed,
                 Checksum64(q->record.data(), kRecordHeaderChecksummed));
    bytes += q->record.size();
    group.push_back(q);
  }
  l.unlock();
  std::string& buf = group_;
  buf.clear();
  buf.reserve(bytes);
  for (Waiter* q : group) buf.append(q->record);
  const auto sync_start = std::chrono::steady_clock::now();
  Status st = file_->Append(buf);
  if (st.ok()) st = file_->Sync();
  if (options_.on_sync)
    options_.on_sync(std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_start).count());
  l.lock();
  if (!st.ok()) error_ = st;
  file_bytes_ += buf.size();
  ++groups_;
  records_ += group.size();
  for (Waiter* q : group) {
    q->status = st;
    q->done = true;
    queue_.pop_front();
  }
  if (st.ok() && file_bytes_ >= options_.max_file_bytes) {
    Status rs = StartFile();
    if (!rs.ok()) error_ = rs;
  }
  cv_.notify_all();
  if (!st.ok()) return st;
  return w.seq;
}

Status WalWriter::DeleteCovered(uint64_t covered) {
  std::lock_guard<std::mutex> l(mu_);
  for (size_t i = 0; i < files_.size();) {
    if (files_[i].last_seq <= covered) {
      Status st = env_->RemoveFile(JoinPath(dir_, LogName(files_[i].number)));
      if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
      files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    ++i;
  }
  return Status::Ok();
}

uint64_t WalWriter::last_seq() const {
  std::lock_guard<std::mutex> l(mu_);
  return next_seq_ - 1;
}

uint64_t WalWriter::groups() const {
  std::lock_guard<std::mutex> l(mu_);
  return groups_;
}

uint64_t WalWriter::records() const {
  std::lock_guard<std::mutex> l(mu_);
  return records_;
}

}  // namespace ws::store
