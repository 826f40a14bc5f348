// libFuzzer target: EventParser and ParseRfc3339 must accept any bytes
// without crashing, and EventParser::Parse must keep its contract
// (event/parser.h), checked here against an independent model of the input:
//
//   NDJSON (the input, after an optional UTF-8 BOM, does not start with '['
//   once JSON whitespace is skipped): split on '\n', drop one trailing '\r'
//   per line; a line is blank when it holds JSON whitespace only. Then every
//   non-blank line ends in exactly one of OnEvent / OnReject, delivered with
//   its own line number (line k of the input is first_line + k - 1) and its
//   own text as `raw`; blank lines get no outcome; Parse returns OK.
//   The same holds when the input is given in chunks of one line each, the
//   first at Position::kStart and the others at kContinuation (as
//   IngestFiles gives InputReader's chunks), whatever the lines start with.
//
//   JSON array (starts with '['): either Parse fails and nothing is
//   delivered, or the elements are numbered first_line, first_line + 1, ...
//   each exactly once, or text follows the closed array and the NDJSON rule
//   above holds. When the whole input is valid JSON (simdjson DOM), it is one
//   array and there is exactly one outcome per element.
//
//   Always: a warning is only given for a line that is accepted (OnEvent).
//
// A broken invariant prints what broke and traps, so libFuzzer saves the
// input as a crash.
//
// Build (not part of the default build; needs clang):
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DWS_BUILD_FUZZ=ON
//   cmake --build build-fuzz -j2 --target parser_fuzz
//   ./build-fuzz/parser_fuzz -max_total_time=60 -print_final_stats=1

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "event/parser.h"
#include "util/time.h"

namespace {

constexpr ws::EpochMillis kNow{1790899200000};   // 2026-10-02T00:00:00Z
constexpr int64_t kYear0 = -62167219200000;      // 0000-01-01T00:00:00Z
constexpr int64_t kYear10000 = 253402300800000;  // 10000-01-01T00:00:00Z
// Line numbers start here rather than at 1, so that an off-by-first_line
// mistake cannot hide behind a coincidence.
constexpr int64_t kFirstLine = 7;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kSource = "fuzz";

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "parser_fuzz: invariant broken: %s\n", what);
  __builtin_trap();
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!IsJsonSpace(c)) return false;
  }
  return true;
}

// The input after an optional UTF-8 BOM, as EventParser::Parse reads it.
std::string_view WithoutBom(std::string_view text) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  return text;
}

bool StartsWithBracket(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsJsonSpace(text[i])) ++i;
  return i < text.size() && text[i] == '[';
}

// Line number -> text (trailing '\r' dropped) of every non-blank NDJSON line.
std::map<int64_t, std::string_view> NonBlankLines(std::string_view text) {
  std::map<int64_t, std::string_view> lines;
  int64_t line = kFirstLine;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view s = text.substr(start, end - start);
    if (s.ends_with('\r')) s.remove_suffix(1);
    if (!IsBlank(s)) lines.emplace(line, s);
    ++line;
    start = end + 1;
  }
  return lines;
}

// Records every outcome in delivery order.
class RecordingSink : public ws::EventSink {
 public:
  struct Outcome {
    int64_t line;
    std::string raw;
    bool accepted;
  };

  void OnEvent(const ws::Event& e, std::string_view raw, int64_t line) override {
    // Touch every string so that a dangling view is caught by ASan.
    size_t n = e.session_id.size() + e.user_id.size() + e.content_id.size() + e.event_id.size() +
               e.tz.size() + e.metadata.size() + e.device_id.size() + e.platform.size() +
               e.app_version.size();
    for (std::string_view s : {e.session_id, e.user_id, e.content_id, e.metadata}) {
      for (char c : s) n += static_cast<unsigned char>(c);
    }
    checksum += n;
    outcomes.push_back(Outcome{line, std::string(raw), true});
  }
  void OnReject(ws::Rejection r) override {
    Check(r.source == kSource, "a rejection names its source");
    Check(r.received_at == kNow, "a rejection is stamped with the server clock");
    outcomes.push_back(Outcome{r.line, std::move(r.raw), false});
  }
  void OnWarning(ws::WarningReason, int64_t line) override { warned_lines.push_back(line); }

  std::vector<Outcome> outcomes;
  std::vector<int64_t> warned_lines;
  size_t checksum = 0;
};

// The NDJSON rule: one outcome per non-blank line, with its number and text.
bool MatchesNdjson(const RecordingSink& sink, std::string_view text) {
  const std::map<int64_t, std::string_view> expected = NonBlankLines(text);
  if (sink.outcomes.size() != expected.size()) return false;
  std::set<int64_t> seen;
  for (const RecordingSink::Outcome& o : sink.outcomes) {
    auto it = expected.find(o.line);
    if (it == expected.end() || !seen.insert(o.line).second || it->second != o.raw) return false;
  }
  return true;
}

// The array rule: outcomes numbered kFirstLine, kFirstLine + 1, ... once each.
bool NumberedAsElements(const RecordingSink& sink) {
  std::vector<bool> seen(sink.outcomes.size(), false);
  for (const RecordingSink::Outcome& o : sink.outcomes) {
    const int64_t k = o.line - kFirstLine;
    if (k < 0 || k >= static_cast<int64_t>(seen.size()) || seen[static_cast<size_t>(k)]) return false;
    seen[static_cast<size_t>(k)] = true;
  }
  return true;
}

// The number of elements when `text` is one valid JSON array, else nullopt.
std::optional<size_t> ValidArrayElements(std::string_view text) {
  simdjson::dom::parser dom;
  simdjson::dom::element root;
  if (dom.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::array array;
  if (root.get_array().get(array) != simdjson::SUCCESS) return std::nullopt;
  return array.size();
}

// Parses NDJSON `input` one line per chunk, with one parser, as IngestFiles
// parses InputReader's chunks; `text` is `input` without its BOM.
void CheckChunkedParse(std::string_view input, std::string_view text) {
  ws::EventParser parser(ws::ParserOptions{kNow});
  RecordingSink sink;
  auto position = ws::EventParser::Position::kStart;
  int64_t line = kFirstLine;
  size_t start = 0;
  while (start < input.size()) {
    const size_t nl = input.find('\n', start);
    const size_t end = nl == std::string_view::npos ? input.size() : nl + 1;
    const ws::Status st = parser.Parse(input.substr(start, end - start), kSource, line, &sink, position);
    Check(st.ok(), "a chunk of NDJSON lines always parses as a whole");
    position = ws::EventParser::Position::kContinuation;
    ++line;
    start = end;
  }
  Check(MatchesNdjson(sink, text), "NDJSON in chunks of one line: the same outcomes as parsed whole");
}

void CheckParse(std::string_view input) {
  ws::EventParser parser(ws::ParserOptions{kNow});
  RecordingSink sink;
  const ws::Status st = parser.Parse(input, kSource, kFirstLine, &sink);
  const std::string_view text = WithoutBom(input);

  if (!StartsWithBracket(text)) {
    Check(st.ok(), "NDJSON input always parses as a whole");
    Check(MatchesNdjson(sink, text), "one outcome per non-blank NDJSON line, with its line number and text");
    CheckChunkedParse(input, text);
  } else if (!st.ok()) {
    Check(sink.outcomes.empty(), "an array that cannot be read delivers nothing");
  } else {
    Check(NumberedAsElements(sink) || MatchesNdjson(sink, text),
          "array elements numbered from first_line once each, or NDJSON lines after a closed array");
    if (std::optional<size_t> elements = ValidArrayElements(text)) {
      Check(sink.outcomes.size() == *elements && NumberedAsElements(sink),
            "a valid JSON array gives one outcome per element");
    }
  }

  std::set<int64_t> accepted;
  for (const RecordingSink::Outcome& o : sink.outcomes) {
    if (o.accepted) accepted.insert(o.line);
  }
  for (int64_t line : sink.warned_lines) {
    Check(accepted.count(line) == 1, "a warning is only given for an accepted line");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::optional<int> offset;
  if (auto t = ws::ParseRfc3339(text, &offset); t && t->v >= kYear0 && t->v < kYear10000) {
    // Whatever parses (and stays within four-digit years after its offset is
    // applied) must format and parse back to the same instant.
    auto again = ws::ParseRfc3339(ws::FormatRfc3339(*t), nullptr);
    Check(again && again->v == t->v, "RFC 3339 round trip");
  }

  CheckParse(text);
  return 0;
}
