#include "cli/app.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "app/catalog_show.h"
#include "app/keys.h"
#include "app/workspace.h"
#include "catalog/catalog.h"
#include "event/event_table.h"
#include "gen/generator.h"
#include "query/export.h"
#include "query/reports.h"
#include "server/serve.h"
#include "session/data_store.h"
#include "session/ingest_files.h"
#include "session/ingestor.h"
#include "session/legacy.h"
#include "util/json_writer.h"
#include "vocab/key_names.h"

namespace ws::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
// The largest batch a commit may hold (each batch is held in memory).
constexpr int64_t kMaxBatchEvents = 100'000'000;
// What `generate` accepts (beyond them a run would take days).
constexpr int kMaxGeneratedUsers = 10'000'000;
constexpr int kMaxGeneratedTitles = 1'000'000;
constexpr int kMaxGeneratedDays = 3660;
constexpr auto kProgressInterval = std::chrono::milliseconds(200);

struct Globals {
  std::string data_dir;
  std::string config_file;
};

int Fail(const Status& s) {
  std::fprintf(stderr, "watchstats: error: %s\n", s.message().c_str());
  return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

std::string ResolveDataDir(const Globals& g) { return app::ResolveDataDir(g.data_dir); }

Result<SessionConfig> ResolveConfig(const Globals& g) { return app::ResolveConfig(g.config_file); }

// The store, with a notice on stderr when it was converted from format v1.
Result<std::unique_ptr<DataStore>> OpenStore(const Globals& g, bool read_only) {
  std::string notice;
  auto ds = app::OpenStore(ResolveDataDir(g), read_only, &notice);
  if (!notice.empty()) std::fprintf(stderr, "watchstats: %s\n", notice.c_str());
  return ds;
}

Result<std::unique_ptr<Catalog>> OpenCatalog(const Globals& g, const store::KeyRegistry& registry,
                                             Catalog::Parts parts = Catalog::Parts::kAll) {
  return app::OpenCatalog(ResolveDataDir(g), registry, parts);
}

Result<std::optional<DayNumber>> OptionalDate(const std::string& text, const char* name) {
  if (text.empty()) return std::optional<DayNumber>();
  auto d = ParseDate(text);
  if (!d) return Status::InvalidArgument(fmt::format("--{} must be a date YYYY-MM-DD, got '{}'", name, text));
  return std::optional<DayNumber>(*d);
}

// Ingest --------------------------------------------------------------------

struct IngestArgs {
  std::vector<std::string> files;
  bool close_all = false;
  bool backfill = false;
  int64_t batch_events = 0;  // 0: the ingestor's default
  bool quiet = false;
  int parse_threads = -1;  // -1: one when the machine has two cores or more
};

int RunIngest(const Globals& g, const IngestArgs& a) {
  auto config = ResolveConfig(g);
  if (!config.ok()) return Fail(config.status());
  auto store = OpenStore(g, false);
  if (!store.ok()) return Fail(store.status());
  auto catalog = OpenCatalog(g, (*store)->store().keys());
  if (!catalog.ok()) return Fail(catalog.status());
  (*catalog)->AttachKeys((*store)->store().keys());
  Ingestor::Options io;
  io.config = *config;
  io.encode_threads = std::thread::hardware_concurrency() >= 2 ? 2 : 1;
  if (a.batch_events > 0) io.batch_events = static_cast<size_t>(a.batch_events);
  io.backfill = a.backfill;
  auto ingestor = Ingestor::Create(store->get(), catalog->get(), io);
  if (!ingestor.ok()) return Fail(ingestor.status());

  IngestFilesOptions opts;
  opts.close_all = a.close_all;
  opts.max_line_bytes = static_cast<size_t>(config->max_line_bytes);
  opts.parse_threads =
      a.parse_threads >= 0 ? a.parse_threads : (std::thread::hardware_concurrency() >= 2 ? 1 : 0);
  opts.now = SystemNow();
  bool tty = isatty(STDERR_FILENO) && !a.quiet;
  auto last = std::chrono::steady_clock::now();
  if (tty) {
    opts.progress = [&](const IngestProgress& p) {
      auto now = std::chrono::steady_clock::now();
      if (now - last < kProgressInterval) return;
      last = now;
      double pct = p.file_bytes_total ? 100.0 * static_cast<double>(p.file_bytes_read) /
                                            static_cast<double>(p.file_bytes_total)
                                      : 0.0;
      std::fprintf(stderr, "\r\033[Kingest: %s %.0f%%  %llu events", p.file.c_str(), pct,
                   static_cast<unsigned long long>(p.events));
    };
  }
  Status st = IngestFiles(ingestor->get(), a.files, opts);
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!st.ok()) return Fail(st);
  const IngestStats& s = (*ingestor)->stats();
  std::printf("ingested %llu events: %llu stored, %llu duplicate, %llu rejected; %llu warnings\n",
              static_cast<unsigned long long>(s.received), static_cast<unsigned long long>(s.stored),
              static_cast<unsigned long long>(s.duplicates), static_cast<unsigned long long>(s.rejected),
              static_cast<unsigned long long>(s.warnings));
  for (const auto& [reason, n] : s.rejected_by_reason) {
    std::printf("  rejected %-18s %llu\n", reason.c_str(), static_cast<unsigned long long>(n));
  }
  for (const auto& [reason, n] : s.warnings_by_reason) {
    std::printf("  warning  %-18s %llu\n", reason.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf(
      "sessions: %llu closings (a reopened session closes again), %zu still open, %llu recomputed from "
      "stored events; watermark %s\n",
      static_cast<unsigned long long>(s.sessions_closed), s.open_sessions,
      static_cast<unsigned long long>(s.sessions_recomputed),
      (*ingestor)->state().watermark ? FormatRfc3339(*(*ingestor)->state().watermark).c_str() : "none");
  if (s.rejected > 0) std::printf("see the rejected events with: watchstats rejected\n");
  return kExitOk;
}

// Rejected --------------------------------------------------------------------

int RunRejected(const Globals& g, const std::string& format_name, bool warnings) {
  auto store = OpenStore(g, true);
  if (!store.ok()) return Fail(store.status());
  std::shared_ptr<const store::Snapshot> snap = (*store)->snapshot();
  auto state = DataStore::StateOf(*snap);
  if (!state.ok()) return Fail(state.status());
  const IngestState& st = *state;
  if (warnings) {
    ResultTable t;
    t.report = "warnings";
    t.columns = {"reason", "count"};
    for (const auto& [r, n] : st.warnings_by_reason) t.rows.push_back({r, static_cast<int64_t>(n)});
    std::fputs(RenderTable(t).c_str(), stdout);
    return kExitOk;
  }
  if (format_name != "table" && format_name != "ndjson") {
    return Fail(
        Status::InvalidArgument(fmt::format("--format must be table or ndjson, got '{}'", format_name)));
  }
  ResultTable t;
  t.report = "rejected";
  t.columns = app::RejectionColumns();
  Status s = ReadRejections(*snap, [&](const Rejection& r) -> Status {
    if (format_name == "ndjson") {
      std::fputs(app::RejectionNdjsonLine(r).c_str(), stdout);
    } else {
      t.rows.push_back(app::RejectionRow(r));
    }
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  if (format_name == "table") {
    ResultTable counts;
    counts.columns = {"reason", "count"};
    for (const auto& [r, n] : st.rejected_by_reason) counts.rows.push_back({r, static_cast<int64_t>(n)});
    for (auto& row : t.rows) {
      std::string& raw = std::get<std::string>(row.back());
      constexpr size_t kRawPreview = 60;
      if (raw.size() > kRawPreview) raw = raw.substr(0, kRawPreview) + "...";
    }
    std::fputs(RenderTable(t).c_str(), stdout);
    std::fputs("\nby reason:\n", stdout);
    std::fputs(RenderTable(counts).c_str(), stdout);
  }
  return kExitOk;
}

// Report ------------------------------------------------------------------------

Result<ReportParams> ParseReportParams(const std::vector<std::string>& args) {
  ReportParams p;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.rfind("--", 0) != 0) return Status::InvalidArgument(fmt::format("unexpected argument '{}'", a));
    a = a.substr(2);
    std::string value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else {
      if (i + 1 >= args.size())
        return Status::InvalidArgument(fmt::format("parameter --{} needs a value", a));
      value = args[++i];
    }
    p[a] = value;
  }
  return p;
}

int RunReportCmd(const Globals& g, const std::string& name, const std::string& format_name,
                 const std::vector<std::string>& extra) {
  auto format = ParseOutputFormat(format_name);
  if (!format.ok()) return Fail(format.status());
  auto params = ParseReportParams(extra);
  if (!params.ok()) return Fail(params.status());
  auto config = ResolveConfig(g);
  if (!config.ok()) return Fail(config.status());
  auto store = OpenStore(g, true);
  if (!store.ok()) return Fail(store.status());
  auto catalog =
      OpenCatalog(g, (*store)->store().keys(),
                  ReportReadsUsers(name, *params) ? Catalog::Parts::kAll : Catalog::Parts::kContentOnly);
  if (!catalog.ok()) return Fail(catalog.status());
  (*catalog)->AttachKeys((*store)->store().keys());
  auto table = app::RunReportOn(**store, catalog->get(), name, *params, *config);
  if (!table.ok()) return Fail(table.status());
  std::fputs(Render(*table, *format).c_str(), stdout);
  return kExitOk;
}

}  // namespace

namespace {
int RunCommand(int argc, char** argv);
}  // namespace

// Every command's output is checked once here: a report or listing that
// could not be written (a full disk, a closed pipe) is exit 1 with a
// sentence, never a silently truncated file and exit 0.
int Run(int argc, char** argv) {
  const int code = RunCommand(argc, argv);
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const int err = errno;
    std::fprintf(stderr, "watchstats: error: cannot write the output: %s\n",
                 err != 0 ? std::strerror(err) : "write error");
    return kExitFailure;
  }
  return code;
}

namespace {

int RunCommand(int argc, char** argv) {
  CLI::App app{"watchstats: viewing analytics for video streaming"};
  app.require_subcommand(1);
  Globals g;
  app.add_option("--data", g.data_dir, "Data directory (default: $WATCHSTATS_DATA, else ./watchstats-data)");
  app.add_option("--config", g.config_file, "Configuration file (SPEC 9 keys, TOML)");

  // generate
  GeneratorOptions gen;
  auto* generate = app.add_subcommand("generate", "Write a realistic synthetic catalog, users and events");
  generate->add_option("--out", gen.out_dir, "Output directory")->required();
  generate->add_option("--users", gen.users, "Number of users")->check(CLI::Range(1, kMaxGeneratedUsers));
  generate->add_option("--titles", gen.titles, "Number of titles")->check(CLI::Range(1, kMaxGeneratedTitles));
  generate->add_option("--days", gen.days, "Number of days")->check(CLI::Range(1, kMaxGeneratedDays));
  generate->add_option("--seed", gen.seed, "Random seed");
  generate->add_option("--start", gen.start_date, "First UTC day (YYYY-MM-DD)");

  // catalog
  auto* catalog = app.add_subcommand("catalog", "Load and inspect the catalog");
  catalog->require_subcommand(1);
  std::vector<std::string> catalog_files;
  std::string catalog_kind = "auto";
  auto* catalog_load =
      catalog->add_subcommand("load", "Load content JSON/NDJSON, users CSV, legacy sessions CSV");
  catalog_load->add_option("files", catalog_files, "Files to load")->required();
  catalog_load->add_option("--kind", catalog_kind, "content|users|sessions (default: detected)");
  std::string show_id;
  bool show_history = false;
  std::string show_format = "table";
  auto* catalog_show = catalog->add_subcommand("show", "Show a title, episode or user");
  catalog_show->add_option("id", show_id, "Title, episode or user id")->required();
  catalog_show->add_flag("--history", show_history, "List every version");
  catalog_show->add_option("--format", show_format, "table|json")->check(CLI::IsMember({"table", "json"}));
  std::string stats_format = "table";
  auto* catalog_stats = catalog->add_subcommand("stats", "Row counts per catalog table");
  catalog_stats->add_option("--format", stats_format, "table|json")->check(CLI::IsMember({"table", "json"}));

  // ingest
  IngestArgs ingest_args;
  auto* ingest =
      app.add_subcommand("ingest", "Ingest event files (NDJSON or JSON array, .gz, '-' for stdin)");
  ingest->add_option("files", ingest_args.files, "Event files")->required();
  ingest->add_flag("--close-all", ingest_args.close_all,
                   "Close every open session at the end (end of a backfill)");
  ingest->add_flag("--backfill", ingest_args.backfill,
                   "Load history into a live store: events are exempt from allowed_lateness (SPEC 2.7)");
  ingest
      ->add_option("--batch-events", ingest_args.batch_events,
                   fmt::format("Events per commit (1 to {})", kMaxBatchEvents))
      ->check(CLI::Range(int64_t{1}, kMaxBatchEvents));
  ingest->add_flag("--quiet", ingest_args.quiet, "No progress display");
  ingest
      ->add_option("--parse-threads", ingest_args.parse_threads,
                   "Threads reading and parsing ahead of the sessionizer (default: 1 on 2+ cores; 0: none)")
      ->check(CLI::Range(0, 64));

  // export
  auto* exp = app.add_subcommand("export", "Export sessions or events");
  exp->require_subcommand(1);
  std::string exp_from, exp_to, exp_format = "ndjson";
  auto* exp_sessions = exp->add_subcommand("sessions", "One object per session (SPEC 2.5 names)");
  auto* exp_events = exp->add_subcommand("events", "One object per stored event");
  for (auto* sub : {exp_sessions, exp_events}) {
    sub->add_option("--from", exp_from, "First UTC date (inclusive)");
    sub->add_option("--to", exp_to, "Last UTC date (inclusive)");
    sub->add_option("--format", exp_format, "ndjson|csv");
  }

  // report
  std::string report_name, report_format = "table";
  auto* report = app.add_subcommand("report", "Run a report; parameters as --name value");
  std::string names;
  for (const auto& n : ReportNames()) names += " " + n;
  report->add_option("name", report_name, "Report:" + names)->required();
  report->add_option("--format", report_format, "table|csv|json|html");
  report->allow_extras();

  // rejected
  std::string rejected_format = "table";
  bool rejected_warnings = false;
  auto* rejected = app.add_subcommand("rejected", "List rejected events with their reasons");
  rejected->add_option("--format", rejected_format, "table|ndjson");
  rejected->add_flag("--warnings", rejected_warnings,
                     "Counts of accepted events with dropped fields, per reason");

  // serve
  std::string serve_listen;
  bool serve_no_auth = false;
  std::vector<std::string> serve_set;
  std::string serve_keys_help = "Server setting KEY=VALUE (repeatable); keys:";
  for (const std::string& k : server::ServerConfigKeys()) serve_keys_help += "\n  " + k;
  auto* serve = app.add_subcommand("serve", "Serve the collector, the query API and the dashboard over HTTP");
  serve->add_option("--listen", serve_listen, "HOST:PORT (default 127.0.0.1:8080; port 0: any free port)");
  serve->add_flag("--no-auth", serve_no_auth, "No API keys (only on a loopback address)");
  serve->add_option("--set", serve_set, serve_keys_help);

  // keys
  auto* keys = app.add_subcommand("keys", "Manage the server's API keys");
  keys->require_subcommand(1);
  std::string key_role, key_name, key_id;
  auto* keys_create = keys->add_subcommand("create", "Create a key; it is printed once");
  keys_create->add_option("--role", key_role, "ingest|analyst|admin")
      ->required()
      ->check(CLI::IsMember({"ingest", "analyst", "admin"}));
  keys_create->add_option("--name", key_name, "What the key is for");
  auto* keys_revoke = keys->add_subcommand("revoke", "Revoke a key");
  keys_revoke->add_option("id", key_id, "The key's id (see keys list)")->required();
  auto* keys_list = keys->add_subcommand("list", "List the keys (never their secrets)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  if (generate->parsed()) {
    bool tty = isatty(STDERR_FILENO);
    auto r = Generate(gen, [&](int day, int days) {
      if (tty) std::fprintf(stderr, "\r\033[Kgenerate: day %d/%d", day + 1, days);
    });
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (!r.ok()) return Fail(r.status());
    std::printf("generated %llu events in %llu sessions (%llu users, %llu titles, %llu episodes) into %s\n",
                static_cast<unsigned long long>(r->events), static_cast<unsigned long long>(r->sessions),
                static_cast<unsigned long long>(r->users), static_cast<unsigned long long>(r->titles),
                static_cast<unsigned long long>(r->episodes), gen.out_dir.c_str());
    std::printf("  including %llu duplicates, %llu late and %llu malformed events\n",
                static_cast<unsigned long long>(r->duplicates), static_cast<unsigned long long>(r->late),
                static_cast<unsigned long long>(r->malformed));
    return kExitOk;
  }
  if (catalog_load->parsed()) {
    auto kind = ParseLoadKind(catalog_kind);
    if (!kind) {
      return Fail(Status::InvalidArgument(
          fmt::format("--kind must be auto, content, users or sessions, got '{}'", catalog_kind)));
    }
    // The store first: its writer lock makes a load that races another
    // writer (an ingest) fail before it changes anything.
    auto store = OpenStore(g, false);
    if (!store.ok()) return Fail(store.status());
    auto cat = Catalog::Open(ResolveDataDir(g));
    if (!cat.ok()) return Fail(cat.status());
    auto config = ResolveConfig(g);
    if (!config.ok()) return Fail(config.status());
    auto loaded = app::LoadCatalogFiles(store->get(), cat->get(), catalog_files, *kind, *config);
    if (!loaded.ok()) return Fail(loaded.status());
    std::fputs(loaded->report.Summary().c_str(), stdout);
    for (const LoadError& e : loaded->report.errors) {
      std::printf("  rejected %s:%lld: %s\n", e.file.c_str(), static_cast<long long>(e.line),
                  e.reason.c_str());
    }
    if (loaded->legacy_sessions > 0) std::printf("stored %zu legacy sessions\n", loaded->legacy_sessions);
    return kExitOk;
  }
  if (catalog_show->parsed()) {
    auto cat = app::OpenCatalogToRead(ResolveDataDir(g));
    if (!cat.ok()) return Fail(cat.status());
    if (show_format != "table" && show_format != "json") {
      return Fail(
          Status::InvalidArgument(fmt::format("--format must be table or json, got '{}'", show_format)));
    }
    auto text =
        app::ShowCatalogItem(**cat, show_id, show_history,
                             show_format == "json" ? app::ShowFormat::kJson : app::ShowFormat::kTable);
    if (!text.ok()) return Fail(text.status());
    std::fputs(text->c_str(), stdout);
    if (!text->empty() && text->back() != '\n') std::fputs("\n", stdout);
    return kExitOk;
  }
  if (catalog_stats->parsed()) {
    auto cat = app::OpenCatalogToRead(ResolveDataDir(g));
    if (!cat.ok()) return Fail(cat.status());
    auto stats = (*cat)->Stats();
    if (!stats.ok()) return Fail(stats.status());
    std::string text = app::RenderCatalogStats(
        *stats, stats_format == "json" ? app::ShowFormat::kJson : app::ShowFormat::kTable);
    std::fputs(text.c_str(), stdout);
    if (!text.empty() && text.back() != '\n') std::fputs("\n", stdout);
    return kExitOk;
  }
  if (ingest->parsed()) return RunIngest(g, ingest_args);
  if (exp_sessions->parsed() || exp_events->parsed()) {
    auto from = OptionalDate(exp_from, "from");
    if (!from.ok()) return Fail(from.status());
    auto to = OptionalDate(exp_to, "to");
    if (!to.ok()) return Fail(to.status());
    if (*from && *to && **from > **to) {
      return Fail(Status::InvalidArgument(
          fmt::format("--from ({}) is after --to ({})", FormatDate(**from), FormatDate(**to))));
    }
    auto format = ParseOutputFormat(exp_format);
    if (!format.ok()) return Fail(format.status());
    if (*format != OutputFormat::kNdjson && *format != OutputFormat::kCsv) {
      return Fail(
          Status::InvalidArgument(fmt::format("--format must be ndjson or csv, got '{}'", exp_format)));
    }
    auto store = OpenStore(g, true);
    if (!store.ok()) return Fail(store.status());
    std::shared_ptr<const store::Snapshot> snap = (*store)->snapshot();
    Status s = exp_sessions->parsed() ? ExportSessions(*snap, (*store)->keys(), *from, *to, *format, stdout)
                                      : ExportEvents(*snap, *from, *to, *format, stdout);
    if (!s.ok()) return Fail(s);
    return kExitOk;
  }
  if (serve->parsed()) {
    server::ServeOptions so;
    so.data_dir = ResolveDataDir(g);
    so.config_file = g.config_file;
    so.sources.env = [](const char* name) { return std::getenv(name); };
    for (const std::string& kv : serve_set) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        return Fail(Status::InvalidArgument(fmt::format("--set takes KEY=VALUE, got '{}'", kv)));
      so.sources.flags[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (!serve_listen.empty()) so.sources.flags["listen"] = serve_listen;
    if (serve_no_auth) so.sources.flags["no_auth"] = "true";
    so.on_ready = [](const std::string& url) {
      std::printf("watchstats: serving on %s (Ctrl-C stops)\n", url.c_str());
      std::fflush(stdout);
    };
    Status s = server::Serve(so);
    if (!s.ok()) return Fail(s);
    return kExitOk;
  }
  if (keys_create->parsed() || keys_revoke->parsed() || keys_list->parsed()) {
    auto ks = app::KeyStore::Open(ResolveDataDir(g), !keys_list->parsed());
    if (!ks.ok()) return Fail(ks.status());
    if (keys_create->parsed()) {
      auto k = (*ks)->Create(*app::ParseRole(key_role), key_name);
      if (!k.ok()) return Fail(k.status());
      std::printf("%s\n", k->key.c_str());
      std::fprintf(stderr, "watchstats: created %s key %s; it is shown only now, store it safely\n",
                   key_role.c_str(), k->info.id.c_str());
      return kExitOk;
    }
    if (keys_revoke->parsed()) {
      Status st = (*ks)->Revoke(key_id);
      if (!st.ok()) return Fail(st);
      std::printf("revoked %s\n", key_id.c_str());
      return kExitOk;
    }
    auto list = (*ks)->List();
    if (!list.ok()) return Fail(list.status());
    ResultTable t;
    t.columns = {"id", "role", "name", "created_at", "revoked_at"};
    for (const app::KeyInfo& k : *list)
      t.rows.push_back({k.id, std::string(app::RoleName(k.role)), k.name, k.created_at,
                        k.revoked_at.empty() ? Value(Null{}) : Value(k.revoked_at)});
    std::fputs(RenderTable(t).c_str(), stdout);
    return kExitOk;
  }
  if (report->parsed()) return RunReportCmd(g, report_name, report_format, report->remaining());
  if (rejected->parsed()) return RunRejected(g, rejected_format, rejected_warnings);
  return kExitUsage;
}

}  // namespace

}  // namespace ws::cli
