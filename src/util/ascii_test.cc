// Tests of util/ascii.h.

#include "util/ascii.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(Ascii, TrimRemovesBlanksAtBothEndsOnly) {
  EXPECT_EQ(Trim("  a b\t"), "a b");
  EXPECT_EQ(Trim("\t \t"), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("x"), "x");
  EXPECT_EQ(Trim("\nx\n"), "\nx\n");  // only spaces and tabs are blanks
}

TEST(Ascii, CaseMappingTouchesAsciiLettersOnly) {
  EXPECT_EQ(ToLower("Smart TV-4K_é"), "smart tv-4k_é");
  EXPECT_EQ(ToUpper("kr-Us 1é"), "KR-US 1é");
  EXPECT_EQ(AsciiToLower('\xC9'), '\xC9');
  EXPECT_EQ(AsciiToUpper('['), '[');
  EXPECT_TRUE(IsAsciiAlpha('q'));
  EXPECT_FALSE(IsAsciiAlpha('1'));
  EXPECT_FALSE(IsAsciiAlpha('\xE9'));
}

}  // namespace
}  // namespace ws
