// Writes the sessions of a data directory as CSV tables for the peer
// databases of bench/peers (DuckDB, ClickHouse), with the catalog's
// attributes resolved the way watchstats' reports read them:
//
//   DIR/sessions.csv      session_id,user_id,content_id,title_id,content_type,date,local_hour,
//                         device_type,country,watch_ms,duration_ms,completion_pct,status
//   DIR/title_genres.csv  title_id,genre      (the bridge: a title has several)
//
// date is the UTC date of the start (YYYY-MM-DD); local_hour the viewer's
// local start hour; completion_pct is \N (null) without a known length;
// country and device_type are empty when unknown. Asserts nothing.
//
//   build/peer_tables --store /tmp/ws-5m/store --out /tmp/ws-5m/peers
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "catalog/catalog.h"
#include "session/data_store.h"
#include "session/session_table.h"

int main(int argc, char** argv) {
  std::string store_dir, out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--store") store_dir = argv[i + 1];
    if (k == "--out") out = argv[i + 1];
  }
  if (store_dir.empty() || out.empty()) {
    std::fprintf(stderr, "usage: peer_tables --store DIR --out DIR\n");
    return 2;
  }
  std::filesystem::create_directories(out);
  ws::DataStoreOptions opts;
  opts.read_only = true;
  auto store = ws::DataStore::Open(store_dir, opts);
  auto catalog = ws::Catalog::Open(store_dir);
  if (!store.ok() || !catalog.ok()) {
    std::fprintf(stderr, "peer_tables: %s\n",
                 (!store.ok() ? store.status() : catalog.status()).message().c_str());
    return 1;
  }
  auto snap = (*store)->snapshot();
  std::ofstream s(out + "/sessions.csv");
  s << "session_id,user_id,content_id,title_id,content_type,date,local_hour,device_type,country,watch_ms,"
       "duration_ms,completion_pct,status\n";
  std::set<std::string> titles;
  uint64_t rows = 0;
  char pct[32];
  for (int32_t day : snap->Partitions(ws::kSessionsTable)) {
    ws::Status st =
        ws::ForEachSession(*snap, (*store)->keys(), ws::DayNumber{day}, [&](const ws::SessionRecord& r) {
          const ws::ContentInfo* c = (*catalog)->FindContent(r.content_id);
          const std::string title = c ? c->title_id : r.content_id;
          titles.insert(title);
          std::snprintf(pct, sizeof pct, "\\N");
          if (r.has_length()) std::snprintf(pct, sizeof pct, "%.17g", r.completion_percentage());
          s << r.session_id << ',' << r.user_id << ',' << r.content_id << ',' << title << ','
            << (c ? c->kind : "") << ',' << ws::FormatDate(r.date_key) << ',' << r.local_start_hour << ','
            << (r.device_type == ws::DeviceType::kUnknown ? "" : ws::DeviceTypeName(r.device_type)) << ','
            << r.country << ',' << r.watch_ms << ',' << r.duration_ms() << ',' << pct << ','
            << ws::SessionStatusName(r.status) << '\n';
          ++rows;
          return ws::Status::Ok();
        });
    if (!st.ok()) {
      std::fprintf(stderr, "peer_tables: %s\n", st.message().c_str());
      return 1;
    }
  }
  std::ofstream g(out + "/title_genres.csv");
  g << "title_id,genre\n";
  for (const std::string& t : titles) {
    const ws::TitleInfo* info = (*catalog)->FindTitle(t);
    if (info == nullptr) continue;
    for (const std::string& genre : info->genres) g << t << ',' << genre << '\n';
  }
  s.close();
  g.close();
  if (!s || !g) {
    std::fprintf(stderr, "peer_tables: cannot write under %s\n", out.c_str());
    return 1;
  }
  std::printf("wrote %llu sessions and %zu titles' genres under %s\n", static_cast<unsigned long long>(rows),
              titles.size(), out.c_str());
  return 0;
}
