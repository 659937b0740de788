// hfrun doctor against the emulator: every section is there, the token value is nowhere in what it
// prints, --json parses, and the Hub and the router are reported reachable.
#include "emulator_fixture.hpp"

namespace hfrun::test {
namespace {

TEST(DoctorE2e, ShowsEverySectionAndNeverTheToken) {
  auto r = hfrun({"doctor"}, true, {{"HTTPS_PROXY", "http://alice:s3cret@proxy.invalid:3128"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* section : {"Build\n", "\nConfiguration\n", "\nCache\n", "\nLocal runtimes\n",
                              "\nProxy and certificates\n", "\nConnectivity\n"}) {
    EXPECT_NE(r.out.find(section), std::string::npos) << section << "\n" << r.out;
  }
  const auto& e = EmulatorEnvironment::emulator();
  EXPECT_NE(r.out.find("token from              HF_TOKEN env\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(e.token), std::string::npos);
  EXPECT_EQ(r.err.find(e.token), std::string::npos);
  // A proxy's password is masked, its user and host are kept.
  EXPECT_NE(r.out.find("http://alice:***@proxy.invalid:3128"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
  EXPECT_NE(
      r.out.find("  hub                     " + e.hub + "/api/whoami-v2  reachable: HTTP 200"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  router                  " + e.router + "/v1/models  reachable: HTTP 200"),
            std::string::npos)
      << r.out;
}

TEST(DoctorE2e, JsonParsesAndNamesTheTokenSourceOnly) {
  auto r = hfrun({"doctor", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  const auto& e = EmulatorEnvironment::emulator();
  EXPECT_EQ(j["build"]["version"], HFRUN_VERSION);
  EXPECT_EQ(j["config"]["token"], "HF_TOKEN");
  EXPECT_EQ(j["config"]["endpoint"], e.hub);
  EXPECT_EQ(j["cache"]["path"], (e.dir / "home" / "hub").string());
  EXPECT_EQ(j["connectivity"]["hub"]["reachable"], true);
  EXPECT_EQ(j["connectivity"]["hub"]["status"], 200);
  EXPECT_EQ(j["connectivity"]["router"]["reachable"], true);
  EXPECT_EQ(r.out.find(e.token), std::string::npos);
  EXPECT_EQ(r.err.find(e.token), std::string::npos);
}

TEST(DoctorE2e, AnUnreachableHubIsShownNotFatal) {
  // Port 9 on the loopback: nothing listens, the connection is refused at once.
  auto r = hfrun({"doctor", "--json"}, false, {{"HF_ENDPOINT", "http://127.0.0.1:9"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["config"]["token"], "no token");
  EXPECT_EQ(j["connectivity"]["hub"]["reachable"], false);
  EXPECT_EQ(j["connectivity"]["router"]["reachable"], true);
}

} // namespace
} // namespace hfrun::test
