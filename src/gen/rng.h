// Deterministic pseudo-random numbers for the synthetic data generator.
//
// Output must be identical across runs, compilers and machines for one seed,
// so nothing here uses std::*_distribution (implementation-defined) or libm
// transcendental functions (not guaranteed to round identically everywhere):
// only integer arithmetic and correctly rounded IEEE operations.
// Thread safety: an Rng is a value; use one per thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace ws::gen {

// SplitMix64 step: advances `state` and returns a well-mixed 64-bit value.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Natural logarithm by argument reduction and an atanh series.
// Requires: x > 0 and finite. Relative error below 1e-15.
inline double DetLog(double x) {
  constexpr double kLn2 = 0.69314718055994530942;
  constexpr double kSqrtHalf = 0.70710678118654752440;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1)
  if (m < kSqrtHalf) {
    m *= 2.0;
    --e;
  }
  const double s = (m - 1.0) / (m + 1.0);  // |s| <= 0.172
  const double s2 = s * s;
  double series = 1.0 / 15.0;
  series = series * s2 + 1.0 / 13.0;
  series = series * s2 + 1.0 / 11.0;
  series = series * s2 + 1.0 / 9.0;
  series = series * s2 + 1.0 / 7.0;
  series = series * s2 + 1.0 / 5.0;
  series = series * s2 + 1.0 / 3.0;
  series = series * s2 + 1.0;
  return 2.0 * s * series + e * kLn2;
}

// e^x by reduction to |r| <= ln2/2 and a Taylor polynomial.
// Requires: |x| < 700. Relative error below 1e-15.
inline double DetExp(double x) {
  constexpr double kLn2 = 0.69314718055994530942;
  constexpr double kInvLn2 = 1.44269504088896340736;
  constexpr int kTerms = 14;
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = x - k * kLn2;
  double p = 1.0;
  for (int i = kTerms; i >= 1; --i) p = 1.0 + p * r / i;
  return std::ldexp(p, static_cast<int>(k));
}

// x^y for x > 0.
inline double DetPow(double x, double y) { return DetExp(y * DetLog(x)); }

// xoshiro256** seeded through SplitMix64 (Blackman & Vigna).
class Rng {
 public:
  // `stream` selects an independent sequence for the same seed.
  explicit Rng(uint64_t seed, uint64_t stream = 0) {
    uint64_t sm = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (auto& s : s_) s = SplitMix64(sm);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // Uniform integer in [0, n). Requires: n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform integer in [lo, hi] (inclusive). Requires: lo <= hi.
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // True with probability p.
  bool Chance(double p) { return Uniform() < p; }

  // Approximately standard normal (Irwin-Hall sum of four uniforms, rescaled
  // to unit variance; tails cut at about +-3.5).
  double Normal() {
    constexpr double kSqrt3 = 1.73205080756887729353;
    const double sum = Uniform() + Uniform() + Uniform() + Uniform();
    return (sum - 2.0) * kSqrt3;
  }

  // Exponential with the given mean.
  double Exponential(double mean) { return -mean * DetLog(1.0 - Uniform()); }

  // Log-normal: exp(mu + sigma * N(0,1)).
  double LogNormal(double mu, double sigma) { return DetExp(mu + sigma * Normal()); }

  // Index i with probability weights[i] / sum(weights). Requires: a positive sum.
  size_t Pick(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double u = Uniform() * total;
    size_t last_positive = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (weights[i] <= 0) continue;
      if (u < weights[i]) return i;
      u -= weights[i];
      last_positive = i;
    }
    return last_positive;
  }

  // Fills 16 bytes as an RFC 4122 version-4 UUID.
  void Uuid(uint64_t* hi, uint64_t* lo) {
    *hi = (Next() & ~0xF000ULL) | 0x4000ULL;              // version nibble
    *lo = (Next() & ~(0xC0ULL << 56)) | (0x80ULL << 56);  // variant 10xx
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Cumulative table for repeated weighted sampling in O(log n).
class WeightedTable {
 public:
  WeightedTable() = default;
  explicit WeightedTable(std::span<const double> weights) {
    cum_.reserve(weights.size());
    double total = 0;
    for (double w : weights) {
      total += w;
      cum_.push_back(total);
    }
  }
  bool empty() const { return cum_.empty() || cum_.back() <= 0; }
  // Requires: !empty().
  size_t Sample(Rng& rng) const {
    const double u = rng.Uniform() * cum_.back();
    const auto it = std::upper_bound(cum_.begin(), cum_.end(), u);
    return std::min(static_cast<size_t>(it - cum_.begin()), cum_.size() - 1);
  }

 private:
  std::vector<double> cum_;
};

}  // namespace ws::gen
