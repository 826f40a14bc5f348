#include "store/v1/columns.h"

namespace ws::store::v1 {
namespace {

Status Corrupt(const std::string& what) { return Status::Corruption(what); }

}  // namespace

Status ReadUuidColumns(TableReader* r, std::string_view base, uint64_t count, StringArena* arena,
                       std::vector<std::string_view>* out, const std::vector<uint8_t>* keep) {
  std::string b(base);
  WS_ASSIGN_OR_RETURN(std::string_view kinds, r->Column(b + ".kind", ColumnEncoding::kU8));
  WS_ASSIGN_OR_RETURN(std::string_view uuids, r->Column(b + ".uuid", ColumnEncoding::kRaw16));
  WS_ASSIGN_OR_RETURN(std::string_view texts, r->Column(b + ".text", ColumnEncoding::kStrings));
  return DecodeUuidColumn(kinds, uuids, texts, count, arena, out, keep).WithContext("column '" + b + "'");
}

Status ReadRle(TableReader* r, std::string_view name, uint64_t count, std::vector<int64_t>* out) {
  WS_ASSIGN_OR_RETURN(std::string_view block, r->Column(name, ColumnEncoding::kRle));
  return DecodeRle(block, count, out).WithContext("column '" + std::string(name) + "'");
}

Status ReadDict(TableReader* r, std::string_view name, uint64_t count, StringArena* arena,
                std::vector<std::string_view>* out) {
  WS_ASSIGN_OR_RETURN(std::string_view block, r->Column(name, ColumnEncoding::kDictRle));
  return DecodeDictRle(block, count, arena, out).WithContext("column '" + std::string(name) + "'");
}

Status ReadZigZag(TableReader* r, std::string_view name, uint64_t count, std::vector<int64_t>* out) {
  WS_ASSIGN_OR_RETURN(std::string_view block, r->Column(name, ColumnEncoding::kZigZag));
  return DecodeZigZags(block, count, out).WithContext("column '" + std::string(name) + "'");
}

Result<std::string_view> ReadU8(TableReader* r, std::string_view name, uint64_t count) {
  WS_ASSIGN_OR_RETURN(std::string_view block, r->Column(name, ColumnEncoding::kU8));
  WS_RETURN_IF_ERROR(CheckU8Count(block, count).WithContext("column '" + std::string(name) + "'"));
  return block;
}

Status OutOfRange(std::string_view column) {
  return Corrupt("column '" + std::string(column) + "' holds a value out of range");
}

// A nullable zigzag column: "<name>.present" bytes + values of present rows.
Status ReadNullable(TableReader* r, std::string_view name, uint64_t count, std::string_view* present,
                    std::vector<int64_t>* values) {
  std::string n(name);
  WS_ASSIGN_OR_RETURN(*present, ReadU8(r, n + ".present", count));
  uint64_t k = 0;
  for (char c : *present) {
    if (static_cast<uint8_t>(c) > 1) return OutOfRange(n + ".present");
    k += static_cast<uint8_t>(c);
  }
  return ReadZigZag(r, n, k, values);
}

}  // namespace ws::store::v1
