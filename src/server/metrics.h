// Counters and latency histograms for GET /metrics, rendered in the
// Prometheus text exposition format (version 0.0.4).
//
// Thread safety: every method may be called from many threads at once; the
// counts are atomics, and the map of label sets is guarded by a mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ws::server {

// Upper bounds (seconds) of the latency buckets, shared by every histogram.
inline constexpr std::array<double, 14> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

class Histogram {
 public:
  void Observe(double seconds);
  // Appends the _bucket/_sum/_count lines of metric `name` with `labels`
  // (already formatted as k="v",... or empty).
  void Render(const std::string& name, const std::string& labels, std::string* out) const;

 private:
  std::array<std::atomic<uint64_t>, kLatencyBuckets.size()> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

// A family of histograms keyed by a label set, created on first use.
class HistogramFamily {
 public:
  Histogram& With(const std::string& labels);
  void Render(const std::string& name, const std::string& help, std::string* out) const;

 private:
  mutable std::mutex mu_;  // guards the map (the histograms themselves are atomic)
  std::map<std::string, std::unique_ptr<Histogram>> by_labels_;
};

// A family of counters keyed by a label set.
class CounterFamily {
 public:
  void Add(const std::string& labels, uint64_t n = 1);
  void Render(const std::string& name, const std::string& help, std::string* out) const;

 private:
  mutable std::mutex mu_;  // guards the map
  std::map<std::string, uint64_t> by_labels_;
};

// Helpers for the text format.
void RenderGauge(const std::string& name, const std::string& help, double value, std::string* out);
void RenderCounter(const std::string& name, const std::string& help, double value, std::string* out);
// `key="value"` with the value escaped as the format requires.
std::string Label(const std::string& key, const std::string& value);

}  // namespace ws::server
