// The Hub's provider mapping order is the user's preference: `--provider auto` takes the first
// provider that serves the task, in the order the Hub sent (not nlohmann::json's sorted order).
#include "emulator_fixture.hpp"

namespace hfrun::test {
namespace {

TEST(ServerlessProviderOrder, AutoTakesTheFirstProviderInTheHubsOrder) {
  // The world lists together before fal-ai and replicate; sorted keys would put fal-ai first.
  const auto out = (EmulatorEnvironment::emulator().dir / "schnell.jpg").string();
  auto r =
      hfrun({"serverless", "black-forest-labs/FLUX.1-schnell", "--text", "a cat", "-o", out, "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("via together"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("image/jpeg"), std::string::npos) << r.err; // type told by the bytes
  bool together = false;
  for (const auto& entry : request_log()) {
    together = together || entry.value("path", "") == "/together/v1/images/generations";
  }
  EXPECT_TRUE(together);
}

} // namespace
} // namespace hfrun::test
