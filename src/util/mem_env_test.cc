// MemEnv: its durability model and fault injection, which the crash tests
// of the store rely on.
#include "util/mem_env.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(MemEnvTest, UnsyncedDataAndEntriesAreLostInACrash) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs("/d").ok());
  ASSERT_TRUE(env.SyncDir("/").ok());
  ASSERT_TRUE(env.WriteFileSynced("/d/a", "synced").ok());
  ASSERT_TRUE(env.SyncDir("/d").ok());
  auto f = env.NewAppendableFile("/d/a");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(" and more").ok());
  ASSERT_TRUE(env.WriteFileSynced("/d/b", "new file, entry not synced").ok());
  env.SimulateCrash();
  EXPECT_EQ(*env.ReadFile("/d/a"), "synced");
  EXPECT_FALSE(env.PathExists("/d/b"));
  EXPECT_FALSE((*f)->Append("x").ok()) << "handles from before the crash are dead";
}

TEST(MemEnvTest, RenameIsDurableOnlyAfterSyncDir) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  ASSERT_TRUE(env.SyncDir("/").ok());
  ASSERT_TRUE(env.WriteFileAtomic("/d/x", "one").ok());
  ASSERT_TRUE(env.WriteFileAtomic("/d/x", "two", /*sync_dir=*/false).ok());
  env.SimulateCrash();
  EXPECT_EQ(*env.ReadFile("/d/x"), "one");
}

TEST(MemEnvTest, DirectoryNotNamedDurablyDisappears) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  ASSERT_TRUE(env.WriteFileSynced("/d/x", "data").ok());
  ASSERT_TRUE(env.SyncDir("/d").ok());
  env.SimulateCrash();  // "/" never synced: /d is gone with its file
  EXPECT_FALSE(env.PathExists("/d"));
}

TEST(MemEnvTest, InjectedFaults) {
  MemEnv env;
  env.FailAt(MemEnv::Op::kSync, 1, MemEnv::Action::kIOError);
  EXPECT_EQ(env.WriteFileSynced("/a", "x").code(), StatusCode::kIOError);
  env.FailAt(MemEnv::Op::kWrite, 1, MemEnv::Action::kNoSpace);
  Status st = env.WriteFileSynced("/b", "x");
  EXPECT_NE(st.message().find("No space"), std::string::npos);
  env.FailAt(MemEnv::Op::kWrite, 1, MemEnv::Action::kShortWrite);
  auto f = env.NewWritableFile("/c");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE((*f)->Append("abcdef").ok());
  EXPECT_EQ(*env.ReadFile("/c"), "abc");
  env.CrashAfter({MemEnv::Op::kRename}, 1);
  EXPECT_TRUE(env.WriteFileAtomic("/d", "x").code() == StatusCode::kIOError);
  EXPECT_TRUE(env.crashed());
  EXPECT_FALSE(env.WriteFileSynced("/e", "x").ok());
  env.SimulateCrash();
  EXPECT_FALSE(env.crashed());
  EXPECT_TRUE(env.WriteFileSynced("/e", "x").ok());
}

TEST(MemEnvTest, PinsKeepFilesFromRemoval) {
  MemEnv env;
  ASSERT_TRUE(env.WriteFileSynced("/m", "x").ok());
  {
    auto pin = env.PinFile("/m");
    ASSERT_TRUE(pin.ok());
    auto removed = env.RemoveFileIfUnpinned("/m");
    ASSERT_TRUE(removed.ok());
    EXPECT_FALSE(*removed);
  }
  auto removed = env.RemoveFileIfUnpinned("/m");
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_EQ(env.PinFile("/m").status().code(), StatusCode::kNotFound);
}

TEST(MemEnvTest, ExclusiveLockIsExclusive) {
  MemEnv env;
  auto a = env.LockFile("/LOCK", "magic");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(env.LockFile("/LOCK", "magic").status().code(), StatusCode::kFailedPrecondition);
  a->reset();
  EXPECT_TRUE(env.LockFile("/LOCK", "magic").ok());
}

TEST(MemEnvTest, CopyTreeTakesALiveCopy) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs("/s/t").ok());
  ASSERT_TRUE(env.WriteFileSynced("/s/t/f", "data").ok());
  MemEnv copy;
  ASSERT_TRUE(env.CopyTree("/s", &copy, "/c").ok());
  copy.SimulateCrash();  // the copy is durable as a whole
  EXPECT_EQ(*copy.ReadFile("/c/t/f"), "data");
}

}  // namespace
}  // namespace ws
