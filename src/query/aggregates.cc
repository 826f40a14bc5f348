#include "query/aggregates.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace ws::query {
namespace {

constexpr int64_t kSittingGapMs = 30 * 60 * 1000;  // SPEC 4 binge: <= 30 min between sessions
constexpr size_t kBingeMinItems = 3;               // SPEC 4 binge: >= 3 distinct episodes

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

// kDistinct, kDistinctIf, kDistinctSet: Roaring bitmaps of 32-bit keys.
class DistinctAgg final : public AggregateFunction {
 public:
  enum class Mode { kCount, kCountIf, kSet };
  explicit DistinctAgg(Mode mode) : mode_(mode) {}
  size_t arity() const override { return mode_ == Mode::kCountIf ? 2 : 1; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override {
    return std::make_unique<DistinctAgg>(mode_);
  }
  void Resize(size_t groups) override {
    if (groups > sets_.size()) sets_.resize(groups);
  }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    const std::span<const double> a = args[0];
    for (size_t i = 0; i < groups.size(); ++i) {
      if (valid[i] == 0) continue;
      if (mode_ == Mode::kCountIf && args[1][i] == 0) continue;
      sets_[groups[i]].add(static_cast<uint32_t>(a[i]));
    }
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    const auto& o = static_cast<const DistinctAgg&>(other);
    for (size_t g = 0; g < o.sets_.size(); ++g) {
      if (!o.sets_[g].isEmpty()) sets_[map[g]] |= o.sets_[g];
    }
  }
  void Output(const std::string& name, ColKind, std::span<const uint32_t> order, Frame* out) const override {
    if (mode_ == Mode::kSet) {
      FrameColumn& c = out->Add(name, ColKind::kSet);
      c.sets.reserve(order.size());
      for (uint32_t g : order) c.sets.push_back(sets_[g]);
      return;
    }
    FrameColumn& c = NumberColumn(out, name, ColKind::kInt, order.size());
    for (size_t i = 0; i < order.size(); ++i) c.nums[i] = static_cast<double>(sets_[order[i]].cardinality());
  }

 private:
  Mode mode_;
  std::vector<Roaring> sets_;
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
// item); at output, sorted by start and cut where a session starts more than
// the gap after the latest end so far.
class SittingsAgg final : public AggregateFunction {
 public:
  size_t arity() const override { return 3; }
  std::unique_ptr<AggregateFunction> CloneEmpty() const override { return std::make_unique<SittingsAgg>(); }
  void Resize(size_t groups) override {
    if (groups > v_.size()) v_.resize(groups);
  }
  void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
           std::span<const uint8_t> valid) override {
    for (size_t i = 0; i < groups.size(); ++i) {
      if (valid[i] == 0) continue;
      v_[groups[i]].push_back({static_cast<int64_t>(args[0][i]), static_cast<int64_t>(args[1][i]),
                               static_cast<uint32_t>(args[2][i])});
    }
  }
  void Merge(const AggregateFunction& other, std::span<const uint32_t> map) override {
    const auto& o = static_cast<const SittingsAgg&>(other);
    for (size_t g = 0; g < o.v_.size(); ++g) {
      auto& dst = v_[map[g]];
      dst.insert(dst.end(), o.v_[g].begin(), o.v_[g].end());
    }
  }
  void Output(const std::string& name, ColKind, std::span<const uint32_t> order, Frame* out) const override {
    const size_t n = order.size();
    std::vector<double> sittings(n), binges(n), items(n);
    for (size_t i = 0; i < n; ++i) {
      std::vector<Viewing> v = v_[order[i]];
      std::sort(v.begin(), v.end(), [](const Viewing& a, const Viewing& b) {
        return a.start != b.start ? a.start < b.start : a.item < b.item;
      });
      std::unordered_set<uint32_t> distinct;
      int64_t last_end = std::numeric_limits<int64_t>::min();
      auto close = [&] {
        if (distinct.empty()) return;
        sittings[i] += 1;
        items[i] += static_cast<double>(distinct.size());
        if (distinct.size() >= kBingeMinItems) binges[i] += 1;
        distinct.clear();
      };
      for (const Viewing& s : v) {
        if (!distinct.empty() && s.start - last_end > kSittingGapMs) close();
        distinct.insert(s.item);
        last_end = distinct.size() == 1 ? s.end : std::max(last_end, s.end);
      }
      close();
    }
    for (auto [suffix, vals] :
         {std::pair{"_sittings", &sittings}, {"_binges", &binges}, {"_items", &items}}) {
      FrameColumn& c = NumberColumn(out, name + suffix, ColKind::kInt, n);
      c.nums = *vals;
    }
  }

 private:
  struct Viewing {
    int64_t start;
    int64_t end;
    uint32_t item;
  };
  std::vector<std::vector<Viewing>> v_;
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
  }
  return std::make_unique<CountAgg>(false);
}

}  // namespace ws::query
