#include "app/workspace.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "query/export.h"
#include "session/legacy.h"
#include "util/json_writer.h"
#include "vocab/key_names.h"

namespace ws::app {

std::string ResolveDataDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("WATCHSTATS_DATA"); env != nullptr && *env != '\0') return env;
  return kDefaultDataDir;
}

Result<SessionConfig> ResolveConfig(const std::string& config_file) {
  if (config_file.empty()) return SessionConfig{};
  return LoadSessionConfig(config_file);
}

Result<std::unique_ptr<DataStore>> OpenStore(const std::string& data_dir, bool read_only,
                                             std::string* notice) {
  DataStoreOptions o;
  o.read_only = read_only;
  o.create_if_missing = !read_only;
  o.background_compaction = !read_only;
  auto ds = DataStore::Open(data_dir, o);
  notice->clear();
  if (ds.ok() && (*ds)->converted_from_v1()) {
    *notice = fmt::format("the store in {} has storage format version 1; {}", data_dir,
                          read_only ? "it was converted to version 2 in memory for this command (a writing "
                                      "command converts it on disk)"
                                    : "it was converted to version 2 on disk");
  }
  return ds;
}

Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& data_dir, const store::KeyRegistry& registry,
                                             Catalog::Parts parts) {
  const store::KeyDictionary* titles = registry.Find(kTitleKeys);
  const auto existence = titles != nullptr && titles->size() > 0 ? Catalog::Existence::kMustExist
                                                                 : Catalog::Existence::kCreateIfMissing;
  return Catalog::Open(data_dir, parts, existence);
}

Result<std::unique_ptr<Catalog>> OpenCatalogToRead(const std::string& data_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    return Status::NotFound(
        fmt::format("no data directory {} (nothing has been loaded or ingested there)", data_dir));
  }
  std::string notice;
  auto store = OpenStore(data_dir, true, &notice);
  if (store.ok()) return OpenCatalog(data_dir, (*store)->store().keys());
  return Catalog::Open(data_dir);  // no store yet: a catalog may have been loaded alone
}

Result<CatalogLoadResult> LoadCatalogFiles(DataStore* store, Catalog* catalog,
                                           const std::vector<std::string>& files, LoadKind kind,
                                           const SessionConfig& config) {
  CatalogLoadResult out;
  WS_ASSIGN_OR_RETURN(out.report, catalog->Load(files, kind));
  // The catalog's rows get their surrogate keys (SPEC 3.5), stored with the
  // legacy facts' commit (or a commit of their own).
  catalog->RegisterKeys(store->store().keys());
  if (!out.report.sessions.empty()) {
    WS_RETURN_IF_ERROR(StoreLegacySessions(store, *catalog, config, out.report.sessions));
    out.legacy_sessions = out.report.sessions.size();
  } else {
    WS_RETURN_IF_ERROR(store->store().Commit({}));
  }
  return out;
}

const std::vector<std::string>& RejectionColumns() {
  static const std::vector<std::string> kColumns = {"received_at", "source",  "line",
                                                    "reason",      "message", "raw"};
  return kColumns;
}

std::vector<Value> RejectionRow(const Rejection& r) {
  return {FormatRfc3339(r.received_at),
          r.source,
          r.line,
          std::string(RejectReasonCode(r.reason)),
          r.message,
          r.raw};
}

std::string RejectionNdjsonLine(const Rejection& r) {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> c = RejectionColumns();
    c.emplace_back("raw_base64");
    return c;
  }();
  std::vector<Value> row = RejectionRow(r);
  if (IsValidUtf8(r.raw)) {
    row.emplace_back(Null{});
  } else {
    row.emplace_back(Base64Encode(r.raw));
  }
  return RenderObjectLine(kColumns, row);
}

Result<ResultTable> RunReportOn(const DataStore& store, const Catalog* catalog, const std::string& name,
                                const ReportParams& params, const SessionConfig& config,
                                query::ColumnCache* cache) {
  std::shared_ptr<const store::Snapshot> snap = store.snapshot();
  QueryContext ctx{snap.get(), &store.keys(), catalog, config};
  ctx.cache = cache;
  return RunReport(name, params, ctx);
}

}  // namespace ws::app
