#include "emulator_fixture.hpp"

namespace hfrun::test {
namespace {

TEST(WhoamiE2e, NamesTheEmulatorUser) {
  auto r = hfrun({"whoami", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["name"], "hfrun-tester");
  EXPECT_EQ(j["token"]["source"], "HF_TOKEN");
}

TEST(WhoamiE2e, BadTokenIsExitThree) {
  auto r = hfrun({"whoami"}, false, {{"HF_TOKEN", "hf_not_a_valid_token"}});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("Invalid username or password."), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hf_not_a_valid_token"), std::string::npos);
}

} // namespace
} // namespace hfrun::test
