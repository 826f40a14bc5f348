#include "catalog/csv.h"

#include <gtest/gtest.h>

namespace ws::catalog {
namespace {

TEST(CsvReaderTest, QuotedFieldsEmbeddedNewlinesAndLineNumbers) {
  CsvReader r(
      "\xEF\xBB\xBF"
      "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,\"multi\nline\",\n3,,\"\"\n");
  std::vector<std::string> f;
  ASSERT_TRUE(r.Next(&f));
  EXPECT_EQ(r.line(), 1);
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_TRUE(r.Next(&f));
  EXPECT_EQ(r.line(), 2);
  EXPECT_EQ(f, (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  ASSERT_TRUE(r.Next(&f));
  EXPECT_EQ(r.line(), 4);
  EXPECT_EQ(f, (std::vector<std::string>{"2", "multi\nline", ""}));
  ASSERT_TRUE(r.Next(&f));
  EXPECT_EQ(r.line(), 6);
  EXPECT_EQ(f, (std::vector<std::string>{"3", "", ""}));
  EXPECT_FALSE(r.Next(&f));
}

TEST(CsvReaderTest, MalformedRecordsAreFlaggedAndReadingResumes) {
  CsvReader r("a,b\nx\"y,1\n\"ok\"z,2\ngood,3");
  std::vector<std::string> f;
  ASSERT_TRUE(r.Next(&f));
  ASSERT_TRUE(r.Next(&f));
  EXPECT_FALSE(r.error().empty());
  EXPECT_EQ(r.line(), 2);
  ASSERT_TRUE(r.Next(&f));
  EXPECT_FALSE(r.error().empty());
  EXPECT_EQ(r.line(), 3);
  ASSERT_TRUE(r.Next(&f));
  EXPECT_TRUE(r.error().empty());
  EXPECT_EQ(r.line(), 4);
  EXPECT_EQ(f, (std::vector<std::string>{"good", "3"}));
  EXPECT_FALSE(r.Next(&f));
}

TEST(CsvReaderTest, UnterminatedQuote) {
  CsvReader r("a\n\"open\n");
  std::vector<std::string> f;
  ASSERT_TRUE(r.Next(&f));
  ASSERT_TRUE(r.Next(&f));
  EXPECT_EQ(r.error(), "unterminated quoted field");
  EXPECT_FALSE(r.Next(&f));
}

}  // namespace
}  // namespace ws::catalog
