#include "store/key_registry.h"

#include <gtest/gtest.h>

namespace ws::store {
namespace {

TEST(KeyDictionaryTest, LoadedValuesAreFoundThroughTheLazilyBuiltIndex) {
  KeyDictionary d("user");
  ASSERT_TRUE(d.Load(1, "u-1").ok());
  ASSERT_TRUE(d.Load(2, "u-2").ok());
  EXPECT_EQ(d.Find("u-2"), 2u);  // builds the index
  EXPECT_FALSE(d.Find("u-3").has_value());
  EXPECT_EQ(d.Intern("u-3"), 3u);
  EXPECT_EQ(d.Intern("u-1"), 1u);
  EXPECT_EQ(d.Name(3), "u-3");
  // Many keys: the index grows and every value stays findable.
  for (uint32_t k = 4; k < 5000; ++k) EXPECT_EQ(d.Intern("u-" + std::to_string(k)), k);
  for (uint32_t k = 1; k < 5000; ++k) EXPECT_EQ(d.Find("u-" + std::to_string(k)), k);
}

TEST(KeyDictionaryTest, AGapOrAnEmptyValueIsCorruptionAndARepeatIsFoundByBuildIndex) {
  KeyDictionary gap("user");
  ASSERT_TRUE(gap.Load(1, "a").ok());
  EXPECT_EQ(gap.Load(3, "b").code(), StatusCode::kCorruption);
  EXPECT_EQ(gap.Load(2, "").code(), StatusCode::kCorruption);

  KeyDictionary repeat("user");
  ASSERT_TRUE(repeat.Load(1, "a").ok());
  ASSERT_TRUE(repeat.Load(2, "a").ok());  // not indexed yet
  const Status st = repeat.BuildIndex();
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("key 2"), std::string::npos) << st.message();
  EXPECT_EQ(repeat.Find("a"), 1u);  // the first key keeps the value
}

}  // namespace
}  // namespace ws::store
