#include "server/metrics.h"

#include <fmt/format.h>

namespace ws::server {
namespace {

constexpr double kMicrosPerSecond = 1e6;

std::string Braced(const std::string& labels) { return labels.empty() ? "" : "{" + labels + "}"; }

}  // namespace

void Histogram::Observe(double seconds) {
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(seconds * kMicrosPerSecond), std::memory_order_relaxed);
}

void Histogram::Render(const std::string& name, const std::string& labels, std::string* out) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    *out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kLatencyBuckets[i], cumulative);
  }
  const uint64_t count = count_.load(std::memory_order_relaxed);
  *out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, count);
  *out += fmt::format("{}_sum{} {}\n", name, Braced(labels),
                      static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / kMicrosPerSecond);
  *out += fmt::format("{}_count{} {}\n", name, Braced(labels), count);
}

Histogram& HistogramFamily::With(const std::string& labels) {
  std::lock_guard<std::mutex> l(mu_);
  auto& h = by_labels_[labels];
  if (!h) h = std::make_unique<Histogram>();
  return *h;
}

void HistogramFamily::Render(const std::string& name, const std::string& help, std::string* out) const {
  *out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [labels, h] : by_labels_) h->Render(name, labels, out);
}

void CounterFamily::Add(const std::string& labels, uint64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  by_labels_[labels] += n;
}

void CounterFamily::Render(const std::string& name, const std::string& help, std::string* out) const {
  *out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [labels, n] : by_labels_) *out += fmt::format("{}{} {}\n", name, Braced(labels), n);
}

void RenderGauge(const std::string& name, const std::string& help, double value, std::string* out) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, value);
}

void RenderCounter(const std::string& name, const std::string& help, double value, std::string* out) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, value);
}

std::string Label(const std::string& key, const std::string& value) {
  std::string v;
  for (char c : value) {
    if (c == '\\' || c == '"') v += '\\';
    if (c == '\n') {
      v += "\\n";
      continue;
    }
    v += c;
  }
  return fmt::format("{}=\"{}\"", key, v);
}

}  // namespace ws::server
