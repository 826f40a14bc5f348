#include "query/aggregates.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ws::query {
namespace {

constexpr int64_t kSittingGapMs = 30 * 60 * 1000;  // SPEC 4 binge: <= 30 min between sessions
constexpr size_t kBingeMinItems = 3;               // SPEC 4 binge: >= 3 distinct episodes

// Sorts unsigned 64-bit keys: LSD radix, 16 bits a pass over the bits in
// use (two or three passes for the packed keys used here).
void RadixSort(std::vector<uint64_t>* keys) {
  uint64_t top = 0;
  for (uint64_t k : *keys) top |= k;
  constexpr int kDigitBits = 16;
  constexpr size_t kBuckets = size_t{1} << kDigitBits;
  std::vector<uint64_t> tmp(keys->size());
  std::vector<size_t> count(kBuckets);
  for (int shift = 0; shift < 64 && (top >> shift) != 0; shift += kDigitBits) {
    std::fill(count.begin(), count.end(), 0);
    for (uint64_t k : *keys) ++count[(k >> shift) & (kBuckets - 1)];
    size_t sum = 0;
    for (size_t& c : count) {
      const size_t n = c;
      c = sum;
      sum += n;
    }
    for (uint64_t k : *keys) tmp[count[(k >> shift) & (kBuckets - 1)]++] = k;
    keys->swap(tmp);
  }
}

FrameColumn& NumberColumn(Frame* out, const std::string& name, ColKind kind, size_t rows) {
  FrameColumn& c = out->Add(name, kind == ColKind::kInt ? ColKind::kInt : ColKind::kDouble);
  c.nums.assign(rows, 0);
  c.valid.assign(rows, 1);
  return c;
}

// kCount and kCountIf.
class CountAgg final : public AggregateFunction {
 public:
  explicit CountAgg(bool conditional) : conditional_(conditional) {}
  size_t arity() const override { return conditional_ ? 1 : 0; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<CountAgg>(conditional_);
  }
  void Resize(size_t groups) override { n_.resize(std::max(n_.size(), groups), 0); }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    if (!conditional_) {
      for (uint32_t g : groups) ++n_[g];
      return;
    }
    const std::span<const double> a = args[0];
    for (size_t i = 0; i < groups.size(); ++i) n_[groups[i]] += (valid[i] != 0 && a[i] != 0) ? 1 : 0;
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    const auto& o = static_cast<const CountAgg&>(other);
    for (size_t g = 0; g < o.n_.size(); ++g) n_[map[g]] += o.n_[g];
  }
  void Output(const std::string& name, ColKind, std::span<const uint32_t> order, Frame* out) const override {
    FrameColumn& c = NumberColumn(out, name, ColKind::kInt, order.size());
    for (size_t i = 0; i < order.size(); ++i) c.nums[i] = static_cast<double>(n_[order[i]]);
  }

 private:
  bool conditional_;
  std::vector<int64_t> n_;
};

// kSum, kAvg.
class SumAgg final : public AggregateFunction {
 public:
  explicit SumAgg(bool mean) : mean_(mean) {}
  size_t arity() const override { return 1; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override { return std::make_unique<SumAgg>(mean_); }
  void Resize(size_t groups) override {
    sum_.resize(std::max(sum_.size(), groups), 0);
    n_.resize(sum_.size(), 0);
  }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    const std::span<const double> a = args[0];
    for (size_t i = 0; i < groups.size(); ++i) {
      if (valid[i] == 0) continue;
      sum_[groups[i]] += a[i];
      ++n_[groups[i]];
    }
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    const auto& o = static_cast<const SumAgg&>(other);
    for (size_t g = 0; g < o.sum_.size(); ++g) {
      sum_[map[g]] += o.sum_[g];
      n_[map[g]] += o.n_[g];
    }
  }
  void Output(const std::string& name, ColKind kind, std::span<const uint32_t> order,
              Frame* out) const override {
    FrameColumn& c = NumberColumn(out, name, mean_ ? ColKind::kDouble : kind, order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      const uint32_t g = order[i];
      if (mean_) {
        c.valid[i] = n_[g] > 0;
        c.nums[i] = n_[g] > 0 ? sum_[g] / static_cast<double>(n_[g]) : 0;
      } else {
        c.nums[i] = sum_[g];
      }
    }
  }

 private:
  bool mean_;
  std::vector<double> sum_;
  std::vector<int64_t> n_;
};

class MinMaxAgg final : public AggregateFunction {
 public:
  explicit MinMaxAgg(bool max) : max_(max) {}
  size_t arity() const override { return 1; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override { return std::make_unique<MinMaxAgg>(max_); }
  void Resize(size_t groups) override {
    v_.resize(std::max(v_.size(), groups), 0);
    seen_.resize(v_.size(), 0);
  }
  void Put(uint32_t g, double x) {
    if (!seen_[g] || (max_ ? x > v_[g] : x < v_[g])) v_[g] = x;
    seen_[g] = 1;
  }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    for (size_t i = 0; i < groups.size(); ++i) {
      if (valid[i] != 0) Put(groups[i], args[0][i]);
    }
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    const auto& o = static_cast<const MinMaxAgg&>(other);
    for (size_t g = 0; g < o.v_.size(); ++g) {
      if (o.seen_[g]) Put(map[g], o.v_[g]);
    }
  }
  void Output(const std::string& name, ColKind kind, std::span<const uint32_t> order,
              Frame* out) const override {
    FrameColumn& c = NumberColumn(out, name, kind, order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      c.valid[i] = seen_[order[i]];
      c.nums[i] = v_[order[i]];
    }
  }

 private:
  bool max_;
  std::vector<double> v_;
  std::vector<uint8_t> seen_;
};

// kDistinct, kDistinctIf, kDistinctSet, exact in every mode:
// - bitsets: when SetDomain says the keys are dense and groups x domain fits
//   a budget (days x users, titles x users), one plain bitset per group;
// - otherwise (many fine groups, such as a user and a title), the (group,
//   key) pairs, radix-sorted and deduplicated once at output.
class DistinctAgg final : public AggregateFunction {
 public:
  enum class Mode { kCount, kCountIf, kSet };
  explicit DistinctAgg(Mode mode) : mode_(mode) {}
  size_t arity() const override { return mode_ == Mode::kCountIf ? 2 : 1; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<DistinctAgg>(mode_);
  }
  void SetDomain(uint64_t values) override { domain_ = values; }
  void Resize(size_t groups) override {
    if (!decided_) {
      decided_ = true;
      const uint64_t words = (domain_ + kBitsPerWord - 1) / kBitsPerWord;
      if (domain_ > 0 && groups > 0 && groups * words * sizeof(uint64_t) <= kBitsetBudgetBytes)
        words_ = words;
    }
    if (groups <= groups_) return;
    groups_ = groups;
    if (words_ > 0) {
      bits_.resize(groups * words_, 0);
    }
  }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    const std::span<const double> a = args[0];
    for (size_t i = 0; i < groups.size(); ++i) {
      if (valid[i] == 0) continue;
      if (mode_ == Mode::kCountIf && args[1][i] == 0) continue;
      Insert(groups[i], static_cast<uint32_t>(a[i]));
    }
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    const auto& o = static_cast<const DistinctAgg&>(other);
    if (words_ > 0 && o.words_ == words_) {
      for (size_t g = 0; g < o.groups_; ++g) {
        uint64_t* dst = &bits_[map[g] * words_];
        const uint64_t* src = &o.bits_[g * words_];
        for (size_t w = 0; w < words_; ++w) dst[w] |= src[w];
      }
      return;
    }
    for (uint64_t pair : o.pairs_) {
      Insert(map[static_cast<uint32_t>(pair >> kValueBits)], static_cast<uint32_t>(pair));
    }
  }
  void Output(const std::string& name, ColKind, std::span<const uint32_t> order, Frame* out) const override {
    if (mode_ == Mode::kSet) {
      FrameColumn& c = out->Add(name, ColKind::kSet);
      std::vector<Roaring> sets;
      if (words_ == 0) {
        sets.resize(groups_);
        for (uint64_t pair : pairs_) sets[pair >> kValueBits].add(static_cast<uint32_t>(pair));
      }
      c.sets.reserve(order.size());
      for (uint32_t g : order) c.sets.push_back(words_ > 0 ? BitsetOf(g) : sets[g]);
      return;
    }
    if (words_ == 0) Dedupe();
    FrameColumn& c = NumberColumn(out, name, ColKind::kInt, order.size());
    for (size_t i = 0; i < order.size(); ++i) c.nums[i] = static_cast<double>(CountOf(order[i]));
  }

 private:
  static constexpr uint64_t kBitsPerWord = 64;
  static constexpr uint64_t kBitsetBudgetBytes = uint64_t{64} << 20;
  static constexpr int kValueBits = 32;

  void Insert(uint32_t g, uint32_t v) {
    if (words_ > 0) {
      bits_[g * words_ + v / kBitsPerWord] |= uint64_t{1} << (v % kBitsPerWord);
      return;
    }
    pairs_.push_back((uint64_t{g} << kValueBits) | v);
    sorted_ = false;
  }
  // Pair mode: sorts the pairs and removes repeats, then counts per group.
  // Idempotent.
  void Dedupe() const {
    if (sorted_) return;
    RadixSort(&pairs_);
    pairs_.erase(std::unique(pairs_.begin(), pairs_.end()), pairs_.end());
    counts_.assign(groups_, 0);
    for (uint64_t p : pairs_) ++counts_[p >> kValueBits];
    sorted_ = true;
  }
  uint64_t CountOf(uint32_t g) const {
    if (words_ == 0) return counts_[g];
    uint64_t n = 0;
    for (size_t w = 0; w < words_; ++w)
      n += static_cast<uint64_t>(__builtin_popcountll(bits_[g * words_ + w]));
    return n;
  }
  Roaring BitsetOf(uint32_t g) const {
    Roaring r;
    for (size_t w = 0; w < words_; ++w) {
      uint64_t word = bits_[g * words_ + w];
      while (word != 0) {
        r.add(static_cast<uint32_t>(w * kBitsPerWord + static_cast<uint64_t>(__builtin_ctzll(word))));
        word &= word - 1;
      }
    }
    return r;
  }

  Mode mode_;
  uint64_t domain_ = 0;
  bool decided_ = false;
  size_t groups_ = 0;
  size_t words_ = 0;  // > 0: bitset mode, words per group
  std::vector<uint64_t> bits_;
  // Pair mode: the (group, key) pairs added, deduplicated by the first
  // Output (mutable: Output is const, and runs on one thread after the scan),
  // and then the distinct count per group.
  mutable std::vector<uint64_t> pairs_;
  mutable std::vector<uint64_t> counts_;
  mutable bool sorted_ = true;
};

class MedianAgg final : public AggregateFunction {
 public:
  size_t arity() const override { return 1; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override { return std::make_unique<MedianAgg>(); }
  void Resize(size_t groups) override {
    if (groups > v_.size()) v_.resize(groups);
  }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    for (size_t i = 0; i < groups.size(); ++i) {
      if (valid[i] != 0) v_[groups[i]].push_back(args[0][i]);
    }
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    const auto& o = static_cast<const MedianAgg&>(other);
    for (size_t g = 0; g < o.v_.size(); ++g) {
      auto& dst = v_[map[g]];
      dst.insert(dst.end(), o.v_[g].begin(), o.v_[g].end());
    }
  }
  void Output(const std::string& name, ColKind, std::span<const uint32_t> order, Frame* out) const override {
    FrameColumn& c = NumberColumn(out, name, ColKind::kDouble, order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      std::vector<double> v = v_[order[i]];
      if (v.empty()) {
        c.valid[i] = 0;
        continue;
      }
      std::sort(v.begin(), v.end());
      const size_t n = v.size();
      c.nums[i] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
  }

 private:
  std::vector<std::vector<double>> v_;
};

// kSittings: per group (a user and a series), the sessions as (start, end,
// item), kept in one flat array; at output, sorted by (group, start) once
// and cut where a session starts more than the gap after the latest end so
// far.
class SittingsAgg final : public AggregateFunction {
 public:
  size_t arity() const override { return 3; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override { return std::make_unique<SittingsAgg>(); }
  void Resize(size_t groups) override { groups_ = std::max(groups_, groups); }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    for (size_t i = 0; i < groups.size(); ++i) {
      if (valid[i] == 0) continue;
      v_.push_back({groups[i], static_cast<uint32_t>(args[2][i]), static_cast<int64_t>(args[0][i]),
                    static_cast<int64_t>(args[1][i])});
    }
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    const auto& o = static_cast<const SittingsAgg&>(other);
    for (Viewing s : o.v_) {
      s.group = map[s.group];
      v_.push_back(s);
    }
  }
  void Output(const std::string& name, ColKind, std::span<const uint32_t> order, Frame* out) const override {
    std::vector<double> sittings(groups_), binges(groups_), items(groups_);
    std::vector<Viewing> v = v_;
    std::sort(v.begin(), v.end(), [](const Viewing& a, const Viewing& b) {
      if (a.group != b.group) return a.group < b.group;
      return a.start != b.start ? a.start < b.start : a.item < b.item;
    });
    std::vector<uint32_t> distinct;  // items of the current sitting (few)
    for (size_t i = 0; i < v.size();) {
      const uint32_t g = v[i].group;
      int64_t last_end = 0;
      distinct.clear();
      auto close = [&] {
        if (distinct.empty()) return;
        sittings[g] += 1;
        items[g] += static_cast<double>(distinct.size());
        if (distinct.size() >= kBingeMinItems) binges[g] += 1;
        distinct.clear();
      };
      for (; i < v.size() && v[i].group == g; ++i) {
        const Viewing& s = v[i];
        if (!distinct.empty() && s.start - last_end > kSittingGapMs) close();
        last_end = distinct.empty() ? s.end : std::max(last_end, s.end);
        if (std::find(distinct.begin(), distinct.end(), s.item) == distinct.end()) distinct.push_back(s.item);
      }
      close();
    }
    for (auto [suffix, vals] :
         {std::pair{"_sittings", &sittings}, {"_binges", &binges}, {"_items", &items}}) {
      FrameColumn& c = NumberColumn(out, name + suffix, ColKind::kInt, order.size());
      for (size_t i = 0; i < order.size(); ++i) c.nums[i] = (*vals)[order[i]];
    }
  }

 private:
  struct Viewing {
    uint32_t group;
    uint32_t item;
    int64_t start;
    int64_t end;
  };
  size_t groups_ = 0;
  std::vector<Viewing> v_;
};

// kPeakOverlap: per group, closed intervals [start, end]; at output, a
// sweep over their endpoints (an interval that starts at the instant another
// ends overlaps it) gives the most open at one instant and the first instant
// it happened; NAME_open_ms sums the intervals' lengths (for a time average).
class PeakOverlapAgg final : public AggregateFunction {
 public:
  size_t arity() const override { return 2; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<PeakOverlapAgg>();
  }
  void Resize(size_t groups) override { groups_ = std::max(groups_, groups); }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    for (size_t i = 0; i < groups.size(); ++i) {
      if (valid[i] == 0) continue;
      v_.push_back({groups[i], static_cast<int64_t>(args[0][i]), static_cast<int64_t>(args[1][i])});
    }
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    for (Interval iv : static_cast<const PeakOverlapAgg&>(other).v_) {
      iv.group = map[iv.group];
      v_.push_back(iv);
    }
  }
  void Output(const std::string& name, ColKind, std::span<const uint32_t> order, Frame* out) const override {
    // Edges packed as (group, time since the group's first start, closing
    // bit) in 64 bits and radix-sorted: opening edges sort before closing
    // ones at the same instant. Times are within a bucket (a day at most).
    std::vector<double> peak(groups_), peak_at(groups_), open_ms(groups_);
    std::vector<uint8_t> any(groups_, 0);
    std::vector<int64_t> base(groups_, std::numeric_limits<int64_t>::max());
    for (const Interval& iv : v_) {
      base[iv.group] = std::min(base[iv.group], iv.start);
      open_ms[iv.group] += static_cast<double>(iv.end - iv.start);
      any[iv.group] = 1;
    }
    constexpr int kTimeBits = 32;
    std::vector<uint64_t> edges;
    edges.reserve(v_.size() * 2);
    for (const Interval& iv : v_) {
      const auto rel = [&](int64_t t) { return static_cast<uint64_t>(t - base[iv.group]); };
      const uint64_t g = uint64_t{iv.group} << (kTimeBits + 1);
      edges.push_back(g | (rel(iv.start) << 1));
      edges.push_back(g | (rel(iv.end) << 1) | 1);
    }
    RadixSort(&edges);
    int64_t open = 0;
    uint64_t current = std::numeric_limits<uint64_t>::max();
    for (uint64_t e : edges) {
      const uint64_t g = e >> (kTimeBits + 1);
      if (g != current) {
        current = g;
        open = 0;
      }
      open += (e & 1) ? -1 : 1;
      if (static_cast<double>(open) > peak[g]) {
        peak[g] = static_cast<double>(open);
        peak_at[g] =
            static_cast<double>(base[g] + static_cast<int64_t>((e >> 1) & ((uint64_t{1} << kTimeBits) - 1)));
      }
    }
    FrameColumn& p = NumberColumn(out, name + "_peak", ColKind::kInt, order.size());
    for (size_t i = 0; i < order.size(); ++i) p.nums[i] = peak[order[i]];
    FrameColumn& at = NumberColumn(out, name + "_peak_at", ColKind::kInt, order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      at.nums[i] = peak_at[order[i]];
      at.valid[i] = any[order[i]];
    }
    FrameColumn& o = NumberColumn(out, name + "_open_ms", ColKind::kInt, order.size());
    for (size_t i = 0; i < order.size(); ++i) o.nums[i] = open_ms[order[i]];
  }

 private:
  struct Interval {
    uint32_t group;
    int64_t start;
    int64_t end;
  };
  size_t groups_ = 0;
  std::vector<Interval> v_;
};

}  // namespace

size_t AggregateArity(AggFn fn) { return MakeAggregate(fn)->arity(); }

std::unique_ptr<AggregateFunction> MakeAggregate(AggFn fn) {
  switch (fn) {
    case AggFn::kCount:
      return std::make_unique<CountAgg>(false);
    case AggFn::kCountIf:
      return std::make_unique<CountAgg>(true);
    case AggFn::kSum:
      return std::make_unique<SumAgg>(false);
    case AggFn::kAvg:
      return std::make_unique<SumAgg>(true);
    case AggFn::kMin:
      return std::make_unique<MinMaxAgg>(false);
    case AggFn::kMax:
      return std::make_unique<MinMaxAgg>(true);
    case AggFn::kDistinct:
      return std::make_unique<DistinctAgg>(DistinctAgg::Mode::kCount);
    case AggFn::kDistinctIf:
      return std::make_unique<DistinctAgg>(DistinctAgg::Mode::kCountIf);
    case AggFn::kDistinctSet:
      return std::make_unique<DistinctAgg>(DistinctAgg::Mode::kSet);
    case AggFn::kMedian:
      return std::make_unique<MedianAgg>();
    case AggFn::kSittings:
      return std::make_unique<SittingsAgg>();
    case AggFn::kPeakOverlap:
      return std::make_unique<PeakOverlapAgg>();
  }
  return std::make_unique<CountAgg>(false);
}

}  // namespace ws::query
