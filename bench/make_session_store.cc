// Builds a data directory of realistic session facts without events
// (gen/session_facts.h), for the report benchmarks: the catalog and users
// are loaded as `watchstats catalog load` does, then one commit per UTC day,
// then compaction.
//
//   build/make_session_store --dir /tmp/ws-5m [--sessions 5000000] [--users 200000]
//                            [--titles 2000] [--days 30] [--seed 42]
//
// Prints the sessions written and the time taken. Asserts nothing.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "catalog/catalog.h"
#include "gen/session_facts.h"
#include "session/data_store.h"
#include "session/session_table.h"

namespace {

int Usage() {
  std::fprintf(
      stderr,
      "usage: make_session_store --dir DIR [--sessions N] [--users N] [--titles N] [--days N] [--seed S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ws::SessionFactsOptions o;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir")
      dir = v;
    else if (k == "--sessions")
      o.sessions = std::atoll(v.c_str());
    else if (k == "--users")
      o.users = std::atoi(v.c_str());
    else if (k == "--titles")
      o.titles = std::atoi(v.c_str());
    else if (k == "--days")
      o.days = std::atoi(v.c_str());
    else if (k == "--seed")
      o.seed = std::strtoull(v.c_str(), nullptr, 10);
    else
      return Usage();
  }
  if (dir.empty()) return Usage();
  const auto t0 = std::chrono::steady_clock::now();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/input");
  o.out_dir = dir + "/input";
  auto fail = [](const ws::Status& s) {
    std::fprintf(stderr, "make_session_store: %s\n", s.message().c_str());
    return 1;
  };
  auto store = ws::DataStore::Open(dir + "/store", {});
  if (!store.ok()) return fail(store.status());
  uint64_t total = 0;
  std::unique_ptr<ws::Catalog> catalog;
  ws::Status st = ws::GenerateSessionFacts(o, [&](ws::DayNumber, std::vector<ws::SessionRecord>& sessions) {
    if (!catalog) {
      auto cat = ws::Catalog::Open(dir + "/store");
      if (!cat.ok()) return cat.status();
      catalog = std::move(*cat);
      auto loaded = catalog->Load({o.out_dir + "/catalog.json", o.out_dir + "/users.csv"});
      if (!loaded.ok()) return loaded.status();
      catalog->RegisterKeys((*store)->store().keys());
    }
    total += sessions.size();
    return ws::CommitSessions(store->get(), std::move(sessions));
  });
  if (!st.ok()) return fail(st);
  st = (*store)->store().CompactAll();
  if (!st.ok()) return fail(st);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wrote %llu sessions into %s/store in %.1f s\n", static_cast<unsigned long long>(total),
              dir.c_str(), s);
  return 0;
}
