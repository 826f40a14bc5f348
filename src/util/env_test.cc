// The POSIX Env: atomic writes, errors that name the path, directories,
// the writer lock and pins.
#include "util/env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

namespace ws {
namespace {

class PosixEnvTest : public ::testing::Test {
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
  Env* env_ = Env::Default();
};

TEST_F(PosixEnvTest, AtomicWriteReplacesContentAndLeavesNoTemp) {
  std::string path = JoinPath(dir_, "f");
  ASSERT_TRUE(env_->WriteFileAtomic(path, "first").ok());
  ASSERT_TRUE(env_->WriteFileAtomic(path, std::string("sec\0ond", 7)).ok());
  Result<std::string> got = env_->ReadFile(path);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, std::string("sec\0ond", 7));
  Result<std::vector<DirEntry>> entries = env_->ListDir(dir_);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "f");
  EXPECT_FALSE((*entries)[0].is_dir);
  Result<uint64_t> size = env_->FileSize(path);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 7u);
  ASSERT_TRUE(env_->WriteFileAtomic(path, "").ok());
  EXPECT_EQ(*env_->ReadFile(path), "");
}

TEST_F(PosixEnvTest, ErrorsNameThePathAndReason) {
  std::string missing = JoinPath(dir_, "nope");
  Result<std::string> got = env_->ReadFile(missing);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_NE(got.status().message().find(missing), std::string::npos);
  EXPECT_NE(got.status().message().find("No such file or directory"), std::string::npos);
  Status st = env_->WriteFileAtomic(JoinPath(dir_, "no/such/dir/f"), "x");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(dir_), std::string::npos);
  EXPECT_EQ(env_->RemoveFile(missing).code(), StatusCode::kNotFound);
  EXPECT_EQ(env_->ListDir(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env_->FileSize(missing).status().code(), StatusCode::kNotFound);
}

TEST_F(PosixEnvTest, MakeDirsCreatesParentsAndIsIdempotent) {
  std::string deep = JoinPath(dir_, "a/b/c");
  ASSERT_TRUE(env_->MakeDirs(deep).ok());
  ASSERT_TRUE(env_->MakeDirs(deep).ok());
  EXPECT_TRUE(env_->PathExists(deep));
  ASSERT_TRUE(env_->SyncDir(deep).ok());
  Result<std::vector<DirEntry>> entries = env_->ListDir(JoinPath(dir_, "a"));
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_TRUE((*entries)[0].is_dir);
  ASSERT_TRUE(env_->WriteFileAtomic(JoinPath(dir_, "file"), "x").ok());
  EXPECT_FALSE(env_->MakeDirs(JoinPath(dir_, "file")).ok());
  ASSERT_TRUE(env_->RemoveDir(deep).ok());
  EXPECT_FALSE(env_->PathExists(deep));
}

TEST_F(PosixEnvTest, LockIsExclusiveUntilReleased) {
  std::string path = JoinPath(dir_, "LOCK");
  Result<std::unique_ptr<FileLock>> a = env_->LockFile(path, "hello");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  Result<std::unique_ptr<FileLock>> b = env_->LockFile(path, "hello");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(b.status().message().find(path), std::string::npos);
  EXPECT_NE(b.status().message().find("another watchstats process"), std::string::npos);
  a->reset();
  Result<std::unique_ptr<FileLock>> c = env_->LockFile(path, "other");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*env_->ReadFile(path), "hello");
}

TEST_F(PosixEnvTest, PinsKeepFilesAndRemovalWaitsForThem) {
  std::string path = JoinPath(dir_, "MANIFEST-000001");
  ASSERT_TRUE(env_->WriteFileAtomic(path, "m").ok());
  {
    auto pin = env_->PinFile(path);
    ASSERT_TRUE(pin.ok()) << pin.status().ToString();
    auto removed = env_->RemoveFileIfUnpinned(path);
    ASSERT_TRUE(removed.ok());
    EXPECT_FALSE(*removed);
    EXPECT_TRUE(env_->PathExists(path));
  }
  auto removed = env_->RemoveFileIfUnpinned(path);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(env_->PathExists(path));
  EXPECT_EQ(env_->PinFile(path).status().code(), StatusCode::kNotFound);
}

TEST(PathTest, DirNameAndJoin) {
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("c"), ".");
  EXPECT_EQ(DirName("/c"), "/");
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
}

}  // namespace
}  // namespace ws
