// Report cases as data files (tests/data/reports/<case>/; see its README):
// the inputs, the command line and the expected JSON, worked out by hand.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "test_util.h"

namespace ws::testing {
namespace {

namespace fs = std::filesystem;

// Numbers in expected files carry three decimals, as the output does.
constexpr double kTolerance = 1.5e-3;

std::string CasesDir() { return SourceDir() + "/tests/data/reports"; }

std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const auto& d : fs::directory_iterator(CasesDir())) {
    std::string n = d.path().filename().string();
    if (d.is_directory() && n[0] != '_') names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool SameValue(simdjson::dom::element a, simdjson::dom::element b) {
  double x, y;
  if (a.get_double().get(x) == simdjson::SUCCESS && b.get_double().get(y) == simdjson::SUCCESS) {
    return std::fabs(x - y) <= kTolerance;
  }
  return simdjson::minify(a) == simdjson::minify(b);
}

class ReportCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ReportCase, OutputMatchesExpected) {
  const std::string dir = CasesDir() + "/" + GetParam();
  const std::string inputs =
      fs::exists(dir + "/fixture") ? CasesDir() + "/_fixtures/" + Trim(ReadFile(dir + "/fixture")) : dir;
  const std::string ingest_flags =
      fs::exists(dir + "/ingest") ? Trim(ReadFile(dir + "/ingest")) : "--close-all";
  TempDir tmp;
  const std::string ws = Binary() + " --data " + (tmp / "data");
  std::string catalog_files;
  for (const char* f : {"catalog.json", "users.csv"}) {
    if (fs::exists(inputs + "/" + f)) catalog_files += " " + inputs + "/" + f;
  }
  if (!catalog_files.empty()) {
    CommandResult c = RunCommand(ws + " catalog load" + catalog_files);
    ASSERT_EQ(c.exit_code, 0) << c.out;
  }
  CommandResult in = RunCommand(ws + " ingest --quiet " + ingest_flags + " " + inputs + "/events.ndjson");
  ASSERT_EQ(in.exit_code, 0) << in.out;
  const std::string cmd = Trim(ReadFile(dir + "/cmd"));
  CommandResult r = RunStdout(ws + " report " + cmd + " --format json");
  ASSERT_EQ(r.exit_code, 0) << "report " << cmd << ":\n" << r.out;

  simdjson::dom::parser p1, p2;
  simdjson::dom::element got = p1.parse(r.out);
  const std::string expected_text = ReadFile(dir + "/expected.json");
  simdjson::dom::element want = p2.parse(expected_text);
  EXPECT_EQ(std::string_view(got["report"]), std::string_view(want["report"]));
  EXPECT_EQ(simdjson::minify(got["columns"]), simdjson::minify(want["columns"])) << r.out;
  // Expected params are a subset of the output's.
  for (auto [key, value] : simdjson::dom::object(want["params"])) {
    simdjson::dom::element g;
    ASSERT_EQ(got["params"][key].get(g), simdjson::SUCCESS) << "no param " << key << ":\n" << r.out;
    EXPECT_EQ(simdjson::minify(g), simdjson::minify(value)) << "param " << key;
  }
  simdjson::dom::array grows = got["rows"], wrows = want["rows"];
  ASSERT_EQ(grows.size(), wrows.size()) << r.out;
  for (size_t i = 0; i < wrows.size(); ++i) {
    simdjson::dom::element g = grows.at(i), w = wrows.at(i);
    for (auto [key, value] : simdjson::dom::object(w)) {
      simdjson::dom::element gv;
      ASSERT_EQ(g[key].get(gv), simdjson::SUCCESS) << "row " << i << ": no column " << key;
      EXPECT_TRUE(SameValue(gv, value)) << GetParam() << " row " << i << " " << key << ": got "
                                        << simdjson::minify(gv) << ", want " << simdjson::minify(value);
    }
    EXPECT_EQ(simdjson::dom::object(g).size(), simdjson::dom::object(w).size()) << "row " << i;
  }
  simdjson::dom::element ws_summary, gs;
  if (want["summary"].get(ws_summary) == simdjson::SUCCESS) {
    ASSERT_EQ(got["summary"].get(gs), simdjson::SUCCESS) << r.out;
    for (auto [key, value] : simdjson::dom::object(ws_summary)) {
      simdjson::dom::element gv;
      ASSERT_EQ(gs[key].get(gv), simdjson::SUCCESS) << "summary: no " << key;
      EXPECT_TRUE(SameValue(gv, value)) << "summary " << key << ": got " << simdjson::minify(gv);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Data, ReportCase, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace ws::testing
