// The shared aggregate functions (compare ClickHouse's IAggregateFunction):
// every report's measures, in a scan of sessions and in a later aggregation
// of a frame, are one of these.
//
// An aggregate keeps one state per group, in arrays indexed by a dense group
// number. Add() feeds a batch of rows, each with its group and its inputs;
// Merge() folds in another instance's states (another thread's) through a
// map of its groups to ours; Output() writes one column (or several) of the
// result frame, one row per group in the order asked.
//
// Exactness: sums and means are over doubles (integers stay exact below
// 2^53); distinct counts are exact (bitsets, or hashed (group, key) pairs;
// Roaring bitmaps where a set is kept); medians sort the values.
//
// Thread safety: an instance is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "query/frame.h"
#include "query/plan.h"

namespace ws::query {

class AggregateFunction {
 public:
  virtual ~AggregateFunction() = default;
  // How many inputs Add() reads.
  virtual size_t arity() const = 0;
  // A new instance with no groups, of the same function.
  virtual std::unique_ptr<AggregateFunction> CloneEmpty() const = 0;
  // Grows to `groups` states (new states are empty). Never shrinks.
  virtual void Resize(size_t groups) = 0;
  // A hint, before the only Resize of a fixed set of groups: every first
  // input is an integer in [0, values). Exact distinct counts then use a
  // bitset per group when they fit in a small budget. Default: ignored.
  virtual void SetDomain(uint64_t values) { (void)values; }
  // Row i belongs to group groups[i] and has inputs args[k][i]; a row whose
  // valid[i] is 0 has a null first input (skipped by everything but kCount).
  // Requires: every group < the size given to Resize; args.size() == arity().
  virtual void Add(std::span<const uint32_t> groups, const std::vector<std::span<const double>>& args,
                   std::span<const uint8_t> valid) = 0;
  // Folds other's group g into our group map[g]. Requires the same function.
  virtual void Merge(const AggregateFunction& other, std::span<const uint32_t> map) = 0;
  // Appends the result column(s) named after `name` for groups `order`.
  virtual void Output(const std::string& name, ColKind kind, std::span<const uint32_t> order,
                      Frame* out) const = 0;
};

// The function `fn` (plan.h). kSittings' gap is SPEC 4's 30 minutes and a
// binge is a sitting of >= 3 distinct items.
std::unique_ptr<AggregateFunction> MakeAggregate(AggFn fn);
// Inputs `fn` takes.
size_t AggregateArity(AggFn fn);

}  // namespace ws::query
