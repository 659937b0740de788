// Registers one emulator for every e2e test in this program (gtest_main runs them): one per
// process, so each ctest entry (gtest_discover_tests) gets its own.
#include "emulator_fixture.hpp"

namespace {
[[maybe_unused]] auto* const g_environment =
    ::testing::AddGlobalTestEnvironment(new hfrun::test::EmulatorEnvironment);
} // namespace
