// Data-file tests: events in (tests/data/sessions/<case>/input*.ndjson),
// expected sessions out (expected.ndjson). See that folder's README.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "test_util.h"

namespace ws::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const auto& d : fs::directory_iterator(SourceDir() + "/tests/data/sessions")) {
    if (d.is_directory()) names.push_back(d.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Compares two JSON scalars: numbers numerically, others by minified text.
bool SameValue(simdjson::dom::element a, simdjson::dom::element b) {
  double x, y;
  if (a.get_double().get(x) == simdjson::SUCCESS && b.get_double().get(y) == simdjson::SUCCESS) {
    return std::fabs(x - y) < 1e-9;
  }
  return simdjson::minify(a) == simdjson::minify(b);
}

class SessionCase : public ::testing::TestWithParam<std::string> {};

TEST_P(SessionCase, ExportMatchesExpected) {
  const std::string dir = SourceDir() + "/tests/data/sessions/" + GetParam();
  std::vector<std::string> inputs;
  for (const auto& f : fs::directory_iterator(dir)) {
    std::string name = f.path().filename().string();
    if (name.rfind("input", 0) == 0) inputs.push_back(f.path().string());
  }
  std::sort(inputs.begin(), inputs.end());
  ASSERT_FALSE(inputs.empty());
  TempDir tmp;
  for (size_t i = 0; i < inputs.size(); ++i) {
    CommandResult r = RunCommand(Binary() + " --data " + (tmp / "data") + " ingest --quiet " +
                                 (i + 1 == inputs.size() ? "--close-all " : "") + inputs[i]);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  CommandResult exp = RunStdout(Binary() + " --data " + (tmp / "data") + " export sessions");
  ASSERT_EQ(exp.exit_code, 0);

  simdjson::dom::parser p1, p2;
  std::map<std::string, std::string> actual;  // session_id -> line
  for (const std::string& line : SplitLines(exp.out)) {
    simdjson::dom::element e = p1.parse(line);
    actual[std::string(std::string_view(e["session_id"]))] = line;
  }
  std::vector<std::string> expected = SplitLines(ReadFile(dir + "/expected.ndjson"));
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(actual.size(), expected.size()) << exp.out;
  for (const std::string& line : expected) {
    simdjson::dom::element want = p2.parse(line);
    std::string sid{std::string_view(want["session_id"])};
    ASSERT_TRUE(actual.count(sid)) << "session " << sid << " missing from export:\n" << exp.out;
    simdjson::dom::parser p3;
    simdjson::dom::element got = p3.parse(actual[sid]);
    for (auto [key, value] : simdjson::dom::object(want)) {
      simdjson::dom::element g;
      ASSERT_EQ(got[key].get(g), simdjson::SUCCESS) << sid << ": no field " << key;
      EXPECT_TRUE(SameValue(g, value)) << GetParam() << " " << sid << "." << key << ": got "
                                       << simdjson::minify(g) << ", want " << simdjson::minify(value);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Data, SessionCase, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace ws::testing
