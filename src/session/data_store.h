// DataStore: the store opened with the domain's tables (events, quarantine,
// sessions), its key dictionaries, and the ingest engine's state. Every
// front end opens the data directory through it.
//
// Format version 1: a writer converts a version-1 store to version 2 on
// first open, in place (one commit of the converted files; removing the
// version-1 CURRENT is the commit point, so a crash at any moment leaves
// either the version-1 store or the converted one). A reader never writes:
// it converts a copy in memory, for that one process.
//
// Thread safety: as store::Store.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "session/ingest_state.h"
#include "session/session_table.h"
#include "store/store.h"
#include "util/env.h"
#include "util/mem_env.h"

namespace ws {

struct DataStoreOptions {
  Env* env = nullptr;  // nullptr: Env::Default()
  bool read_only = false;
  bool create_if_missing = true;
  bool background_compaction = false;
  store::CompactionPolicy compaction;
};

class DataStore {
 public:
  // Opens (creating when allowed) the data directory. Failure: as
  // store::Store::Open, or the damage found while converting version 1.
  static Result<std::unique_ptr<DataStore>> Open(const std::string& dir, DataStoreOptions options);

  store::Store& store() { return *store_; }
  const store::Store& store() const { return *store_; }
  const SessionKeys& keys() const { return *keys_; }
  std::shared_ptr<const store::Snapshot> snapshot() const { return store_->snapshot(); }
  // The ingest state of a snapshot. Failure: kCorruption.
  static Result<IngestState> StateOf(const store::Snapshot& snap);
  // True when this open converted a version-1 store (in place, or in memory
  // for a reader).
  bool converted_from_v1() const { return converted_; }

  // The tables of the domain, as the store is opened with them.
  static std::vector<store::TableDef> Tables();

  // Restricts construction to Open while allowing make_unique.
  struct Passkey {
    explicit Passkey() = default;
  };
  explicit DataStore(Passkey) {}

 private:
  std::unique_ptr<MemEnv> memory_;  // a reader's converted copy of a version-1 store
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<SessionKeys> keys_;
  bool converted_ = false;
};

// Stores session facts that do not come from ingest (legacy imports,
// generated facts, tests) in one commit: their keys are assigned here, and a
// sessions file is written per UTC day of start. A session id given twice
// keeps its last record. Failure: as EncodeSessions and Store::Commit.
Status CommitSessions(DataStore* store, std::vector<SessionRecord> records);

// Converts the version-1 store in `dir` to version 2 in place (see above).
// Failure: kCorruption naming a damaged version-1 file; I/O errors.
Status UpgradeV1Store(Env* env, const std::string& dir);

}  // namespace ws
