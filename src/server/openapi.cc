#include "server/openapi.h"

#include <fmt/format.h>

#include <map>

#include "query/reports.h"
#include "util/json_writer.h"

namespace ws::server {
namespace {

std::string Q(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "Needs an analyst or admin key." (AccessText, the errors' wording).
std::string AccessNote(Access a) { return fmt::format("Needs {}.", AccessText(a)); }

}  // namespace

std::string OpenApiDocument(const std::vector<RouteInfo>& routes) {
  std::map<std::string, std::vector<const RouteInfo*>> by_path;
  for (const RouteInfo& r : routes) by_path[r.pattern].push_back(&r);
  std::string reports;
  for (const std::string& n : ReportNames()) {
    if (!reports.empty()) reports += ',';
    reports += Q(n);
  }
  std::string out =
      R"({"openapi":"3.0.3","info":{"title":"watchstats","version":"1","description":"Viewing analytics: the collector, the query API and operations routes. Errors are {\"error\": sentence}."},)";
  out +=
      R"("components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"},"ingestKeyInQuery":{"type":"apiKey","in":"query","name":"key"}}},"paths":{)";
  bool first_path = true;
  for (const auto& [path, list] : by_path) {
    if (!first_path) out += ',';
    first_path = false;
    out += Q(path);
    out += ":{";
    bool first_op = true;
    for (const RouteInfo* r : list) {
      if (!first_op) out += ',';
      first_op = false;
      out += fmt::format(R"({}:{{"summary":{},"description":{})",
                         Q(Lower(std::string(http::to_string(r->method)))), Q(r->summary),
                         Q(AccessNote(r->access)));
      if (r->access != Access::kPublic) {
        out += r->access == Access::kIngest ? R"(,"security":[{"bearer":[]},{"ingestKeyInQuery":[]}])"
                                            : R"(,"security":[{"bearer":[]}])";
      }
      std::string params;
      for (size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
        const std::string name = path.substr(at + 1, path.find('}', at) - at - 1);
        std::string schema = R"({"type":"string"})";
        if (path == "/v1/reports/{name}") schema = fmt::format(R"({{"type":"string","enum":[{}]}})", reports);
        if (!params.empty()) params += ',';
        params += fmt::format(R"({{"name":{},"in":"path","required":true,"schema":{}}})", Q(name), schema);
      }
      if (!params.empty()) out += fmt::format(R"(,"parameters":[{}])", params);
      out +=
          R"(,"responses":{"200":{"description":"OK"},"400":{"description":"A bad parameter, named in the error"})";
      if (r->access != Access::kPublic)
        out +=
            R"(,"401":{"description":"No valid key"},"403":{"description":"A key of another role"},"429":{"description":"Over the per-key rate limit; see Retry-After"})";
      if (r->pattern == "/v1/events")
        out +=
            R"(,"413":{"description":"Body or event count over the limit"},"503":{"description":"Overloaded; see Retry-After"})";
      out += "}}";
    }
    out += '}';
  }
  out += "}}\n";
  return out;
}

std::string DocsPage() {
  std::string rows;
  for (const RouteInfo& r : Service::Routes()) {
    std::string esc;
    for (char c : r.summary) {
      if (c == '<')
        esc += "&lt;";
      else if (c == '>')
        esc += "&gt;";
      else if (c == '&')
        esc += "&amp;";
      else
        esc += c;
    }
    rows += fmt::format("<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                        std::string(http::to_string(r.method)), r.pattern, esc, AccessNote(r.access));
  }
  return fmt::format(
      R"(<!doctype html><html lang="en"><head><meta charset="utf-8"><title>watchstats API</title>
<style>body{{font:15px system-ui,sans-serif;margin:2em;max-width:70em}}td,th{{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}}code{{font-size:90%}}</style></head>
<body><h1>watchstats API</h1>
<p>Send keys as <code>Authorization: Bearer KEY</code> (an ingest key may also be <code>?key=KEY</code> on
<code>POST /v1/events</code>). Create keys with <code>watchstats keys create --role ingest|analyst|admin</code>.
The machine-readable document is <a href="/openapi.json">/openapi.json</a>.</p>
<table><tr><th>Method</th><th>Route</th><th>What it does</th><th>Who may call it</th></tr>
{}</table></body></html>
)",
      rows);
}

}  // namespace ws::server
