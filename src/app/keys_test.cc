// KeyStore: keys authenticate with their role until revoked; only hashes
// are stored; the version-1 fixture still reads; a newer schema is refused.
#include "app/keys.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ws::app {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("ws-keys-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(KeyStoreTest, CreatedKeysAuthenticateWithTheirRoleUntilRevoked) {
  auto ks = KeyStore::Open(dir_, true);
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  auto a = (*ks)->Create(Role::kAnalyst, "bi");
  auto i = (*ks)->Create(Role::kIngest, "");
  ASSERT_TRUE(a.ok() && i.ok());
  EXPECT_EQ(a->key.rfind("wsk_" + a->info.id + "_", 0), 0u);
  EXPECT_EQ((*ks)->Authenticate(a->key), Role::kAnalyst);
  EXPECT_EQ((*ks)->Authenticate(i->key), Role::kIngest);
  EXPECT_EQ((*ks)->Authenticate(a->key + "x"), std::nullopt);
  EXPECT_EQ((*ks)->Authenticate("not a key"), std::nullopt);
  EXPECT_EQ((*ks)->Authenticate(""), std::nullopt);
  ASSERT_TRUE((*ks)->Revoke(a->info.id).ok());
  EXPECT_TRUE((*ks)->Revoke(a->info.id).ok());  // again: still fine
  EXPECT_EQ((*ks)->Authenticate(a->key), std::nullopt);
  EXPECT_EQ((*ks)->Revoke("nope").code(), StatusCode::kNotFound);
  auto list = (*ks)->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  // The file holds hashes, never a key.
  std::ifstream in(dir_ + "/" + KeyStore::kFileName, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find(a->key), std::string::npos);
  EXPECT_EQ(bytes.find(i->key.substr(13)), std::string::npos);
  EXPECT_NE(bytes.find(Sha256Hex(i->key)), std::string::npos);
}

TEST_F(KeyStoreTest, AKeyCreatedByAnotherProcessIsSeenAtOnce) {
  auto server = KeyStore::Open(dir_, true);
  ASSERT_TRUE(server.ok());
  ASSERT_FALSE(*(*server)->HasValidKeys());
  auto cli = KeyStore::Open(dir_, true);  // another connection, as `keys create` is
  auto k = (*cli)->Create(Role::kAdmin, "ops");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*server)->Authenticate(k->key), Role::kAdmin);
}

TEST_F(KeyStoreTest, TheVersionOneFixtureReads) {
  const std::string fixture = std::string(WS_SOURCE_DIR) + "/tests/data/keys/keys-v1.db";
  std::filesystem::create_directories(dir_);
  std::filesystem::copy_file(fixture, dir_ + "/keys.db");
  auto ks = KeyStore::Open(dir_, false);
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  EXPECT_EQ((*ks)->Authenticate("wsk_0000c0de_5ec2e75ec2e75ec2e75ec2e75ec2e700"), Role::kAnalyst);
  EXPECT_EQ((*ks)->Authenticate("wsk_0000dead_00000000000000000000000000000000"), std::nullopt);  // revoked
  auto list = (*ks)->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].revoked_at, "2026-12-01T01:00:00.000Z");
}

TEST_F(KeyStoreTest, ANewerSchemaOrAForeignFileIsRefused) {
  std::filesystem::create_directories(dir_);
  {
    auto ks = KeyStore::Open(dir_, true);
    ASSERT_TRUE(ks.ok());
  }
  {
    auto db = sqlite::SqliteDb::Open(dir_ + "/keys.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("UPDATE meta SET value = '2' WHERE name = 'schema_version'").ok());
  }
  auto newer = KeyStore::Open(dir_, true);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("schema version 2"), std::string::npos) << newer.status().message();
  std::filesystem::remove(dir_ + "/keys.db");
  std::ofstream(dir_ + "/keys.db") << "this is not a database at all, but long enough to be read as one";
  auto foreign = KeyStore::Open(dir_, true);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("keys.db"), std::string::npos) << foreign.status().message();
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : {Role::kIngest, Role::kAnalyst, Role::kAdmin}) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

}  // namespace
}  // namespace ws::app
