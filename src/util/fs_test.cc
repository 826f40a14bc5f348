#include "util/fs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

namespace ws {
namespace {

class FsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/ws-fs-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
};

TEST_F(FsTest, AtomicWriteReplacesContentAndLeavesNoTemp) {
  std::string path = JoinPath(dir_, "f");
  ASSERT_TRUE(WriteFileAtomic(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomic(path, std::string("sec\0ond", 7)).ok());
  Result<std::string> got = ReadFile(path);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, std::string("sec\0ond", 7));
  Result<std::vector<DirEntry>> entries = ListDir(dir_);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "f");
  EXPECT_FALSE((*entries)[0].is_dir);
  Result<uint64_t> size = FileSize(path);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 7u);
  ASSERT_TRUE(WriteFileAtomic(path, "").ok());
  EXPECT_EQ(*ReadFile(path), "");
}

TEST_F(FsTest, ErrorsNameThePathAndReason) {
  std::string missing = JoinPath(dir_, "nope");
  Result<std::string> got = ReadFile(missing);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_NE(got.status().message().find(missing), std::string::npos);
  EXPECT_NE(got.status().message().find("No such file or directory"), std::string::npos);
  Status st = WriteFileAtomic(JoinPath(dir_, "no/such/dir/f"), "x");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(dir_), std::string::npos);
  EXPECT_EQ(RemoveFile(missing).code(), StatusCode::kNotFound);
  EXPECT_EQ(ListDir(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FileSize(missing).status().code(), StatusCode::kNotFound);
}

TEST_F(FsTest, MakeDirsCreatesParentsAndIsIdempotent) {
  std::string deep = JoinPath(dir_, "a/b/c");
  ASSERT_TRUE(MakeDirs(deep).ok());
  ASSERT_TRUE(MakeDirs(deep).ok());
  EXPECT_TRUE(PathExists(deep));
  ASSERT_TRUE(SyncDir(deep).ok());
  Result<std::vector<DirEntry>> entries = ListDir(JoinPath(dir_, "a"));
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_TRUE((*entries)[0].is_dir);
  ASSERT_TRUE(WriteFileAtomic(JoinPath(dir_, "file"), "x").ok());
  EXPECT_FALSE(MakeDirs(JoinPath(dir_, "file")).ok());
  ASSERT_TRUE(RemoveDir(deep).ok());
  EXPECT_FALSE(PathExists(deep));
}

TEST_F(FsTest, LockIsExclusiveUntilReleased) {
  std::string path = JoinPath(dir_, "LOCK");
  Result<std::unique_ptr<DirLock>> a = DirLock::Acquire(path, "hello");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  Result<std::unique_ptr<DirLock>> b = DirLock::Acquire(path, "hello");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(b.status().message().find(path), std::string::npos);
  EXPECT_NE(b.status().message().find("another watchstats process"), std::string::npos);
  a->reset();
  Result<std::unique_ptr<DirLock>> c = DirLock::Acquire(path, "other");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*ReadFile(path), "hello");
}

TEST(FsPathTest, DirNameAndJoin) {
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("c"), ".");
  EXPECT_EQ(DirName("/c"), "/");
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
}

}  // namespace
}  // namespace ws
