// Table definitions (store/table_def.h).
#include "store/table_def.h"

#include "util/time.h"

namespace ws::store {

Status TableDef::Finalize() {
  if (keyed()) {
    if (schema.Find(kKeyHashLo) < 0) {
      schema.columns.push_back({std::string(kKeyHashLo), ColumnType::kInt64, EncodingHint::kPlain, ""});
      schema.columns.push_back({std::string(kKeyHashHi), ColumnType::kInt64, EncodingHint::kPlain, ""});
      schema.columns.push_back({std::string(kTombstone), ColumnType::kInt64, EncodingHint::kAuto, ""});
    }
    key_index = schema.Find(key_column);
    if (key_index < 0 || schema.columns[static_cast<size_t>(key_index)].type != ColumnType::kString) {
      return Status::InvalidArgument("keyed table " + schema.name + " needs a string key column, not '" +
                                     key_column + "'");
    }
    key_hash_lo = schema.Find(kKeyHashLo);
    key_hash_hi = schema.Find(kKeyHashHi);
    tombstone = schema.Find(kTombstone);
  }
  WS_RETURN_IF_ERROR(ValidateSchema(schema));
  sort_columns.clear();
  for (const std::string& c : sort_key) {
    int i = schema.Find(c);
    if (i < 0)
      return Status::InvalidArgument("table " + schema.name + " sorts by unknown column '" + c + "'");
    sort_columns.push_back(i);
  }
  return Status::Ok();
}

std::string PartitionName(PartitionKind kind, int32_t p) {
  if (kind == PartitionKind::kDay) return FormatDate(DayNumber{p});
  return "";
}

}  // namespace ws::store
