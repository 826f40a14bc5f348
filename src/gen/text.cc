#include "gen/text.h"

#include <cerrno>
#include <cstring>

namespace ws::gen {
namespace {

constexpr size_t kFileBufferBytes = 4 << 20;
constexpr int kMinutesPerHour = 60;
constexpr char kHex[] = "0123456789abcdef";

// First Sunday on or after day `days`.
int64_t SundayOnOrAfter(int64_t days) { return days + (7 - Weekday(days)) % 7; }

// Last Sunday of a month.
int64_t LastSunday(int64_t year, unsigned month) {
  const int64_t next_month = month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, month + 1, 1);
  const int64_t last = next_month - 1;
  return last - Weekday(last);
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{y + (m <= 2), m, d};
}

bool ParseIsoDate(std::string_view t, int64_t* days) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  int v[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lens[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (int i = 0; i < lens[f]; ++i) {
      const char c = t[starts[f] + i];
      if (c < '0' || c > '9') return false;
      v[f] = v[f] * 10 + (c - '0');
    }
  }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1) return false;
  const unsigned m = static_cast<unsigned>(v[1]);
  const int64_t first = DaysFromCivil(v[0], m, 1);
  const int64_t next = m == 12 ? DaysFromCivil(v[0] + 1, 1, 1) : DaysFromCivil(v[0], m + 1, 1);
  if (v[2] > next - first) return false;
  *days = first + v[2] - 1;
  return true;
}

int ZoneOffsetMinutes(int std_minutes, DstRule rule, int64_t utc_ms) {
  constexpr int kDstShiftMinutes = 60;
  if (rule == DstRule::kNone) return std_minutes;
  const int64_t year = CivilFromDays(DayOfMs(utc_ms)).year;
  int64_t begin_ms = 0;
  int64_t end_ms = 0;
  if (rule == DstRule::kEu) {
    // 01:00 UTC on the last Sundays of March and October.
    begin_ms = LastSunday(year, 3) * kMsPerDay + kMsPerHour;
    end_ms = LastSunday(year, 10) * kMsPerDay + kMsPerHour;
  } else {
    // 02:00 local standard time, second Sunday of March; 02:00 local
    // daylight time, first Sunday of November.
    const int64_t std_ms = static_cast<int64_t>(std_minutes) * kMsPerMinute;
    begin_ms = (SundayOnOrAfter(DaysFromCivil(year, 3, 1)) + 7) * kMsPerDay + 2 * kMsPerHour - std_ms;
    end_ms = SundayOnOrAfter(DaysFromCivil(year, 11, 1)) * kMsPerDay + 2 * kMsPerHour - std_ms -
             kDstShiftMinutes * kMsPerMinute;
  }
  return utc_ms >= begin_ms && utc_ms < end_ms ? std_minutes + kDstShiftMinutes : std_minutes;
}

void LineBuilder::UInt(uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p_++ = tmp[--n];
}

void LineBuilder::UIntPadded(uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p_[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  p_ += width;
}

void LineBuilder::Millis3(int64_t ms) {
  if (ms < 0) {
    *p_++ = '-';
    ms = -ms;
  }
  UInt(static_cast<uint64_t>(ms / 1000));
  *p_++ = '.';
  UIntPadded(static_cast<uint64_t>(ms % 1000), 3);
}

void LineBuilder::Date(int64_t days) {
  const Civil c = CivilFromDays(days);
  UIntPadded(static_cast<uint64_t>(c.year), 4);
  *p_++ = '-';
  UIntPadded(c.month, 2);
  *p_++ = '-';
  UIntPadded(c.day, 2);
}

void LineBuilder::Rfc3339(int64_t utc_ms, int offset_minutes, bool force_offset) {
  const int64_t local = utc_ms + static_cast<int64_t>(offset_minutes) * kMsPerMinute;
  const int64_t days = DayOfMs(local);
  const int64_t in_day = local - days * kMsPerDay;
  Date(days);
  *p_++ = 'T';
  UIntPadded(static_cast<uint64_t>(in_day / kMsPerHour), 2);
  *p_++ = ':';
  UIntPadded(static_cast<uint64_t>(in_day / kMsPerMinute % 60), 2);
  *p_++ = ':';
  UIntPadded(static_cast<uint64_t>(in_day / kMsPerSecond % 60), 2);
  *p_++ = '.';
  UIntPadded(static_cast<uint64_t>(in_day % kMsPerSecond), 3);
  if (offset_minutes == 0 && !force_offset) {
    *p_++ = 'Z';
    return;
  }
  *p_++ = offset_minutes < 0 ? '-' : '+';
  const int abs_min = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  UIntPadded(static_cast<uint64_t>(abs_min / kMinutesPerHour), 2);
  *p_++ = ':';
  UIntPadded(static_cast<uint64_t>(abs_min % kMinutesPerHour), 2);
}

void LineBuilder::Uuid(uint64_t hi, uint64_t lo) {
  char* out = p_;
  for (int i = 0; i < 16; ++i) {
    const uint64_t word = i < 8 ? hi : lo;
    const unsigned byte = static_cast<unsigned>((word >> (56 - 8 * (i % 8))) & 0xFF);
    if (i == 4 || i == 6 || i == 8 || i == 10) *out++ = '-';
    *out++ = kHex[byte >> 4];
    *out++ = kHex[byte & 0xF];
  }
  p_ = out;
}

void LineBuilder::JsonString(std::string_view s) {
  *p_++ = '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      *p_++ = '\\';
      *p_++ = c;
    } else if (u < 0x20) {
      Lit("\\u00");
      *p_++ = kHex[u >> 4];
      *p_++ = kHex[u & 0xF];
    } else {
      *p_++ = c;
    }
  }
  *p_++ = '"';
}

BufferedFile::~BufferedFile() {
  if (file_) Flush();
}

Status BufferedFile::Open(const std::string& path) {
  path_ = path;
  file_.reset(std::fopen(path.c_str(), "wb"));
  if (!file_) {
    return Status::IOError("cannot create file " + path + ": " + std::strerror(errno));
  }
  std::setvbuf(file_.get(), nullptr, _IONBF, 0);  // we buffer ourselves
  buf_ = std::make_unique<char[]>(kFileBufferBytes);
  used_ = 0;
  bytes_ = 0;
  error_ = Status::Ok();
  return Status::Ok();
}

void BufferedFile::Write(std::string_view bytes) {
  if (used_ + bytes.size() > kFileBufferBytes) Flush();
  if (bytes.size() > kFileBufferBytes) {
    if (error_.ok() && std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
      error_ = Status::IOError("cannot write " + path_ + ": " + std::strerror(errno));
    }
  } else {
    std::memcpy(buf_.get() + used_, bytes.data(), bytes.size());
    used_ += bytes.size();
  }
  bytes_ += bytes.size();
}

void BufferedFile::Flush() {
  if (used_ > 0 && error_.ok() && std::fwrite(buf_.get(), 1, used_, file_.get()) != used_) {
    error_ = Status::IOError("cannot write " + path_ + ": " + std::strerror(errno));
  }
  used_ = 0;
}

Status BufferedFile::Close() {
  if (!file_) return error_;
  Flush();
  if (std::fclose(file_.release()) != 0 && error_.ok()) {
    error_ = Status::IOError("cannot close " + path_ + ": " + std::strerror(errno));
  }
  return error_;
}

}  // namespace ws::gen
