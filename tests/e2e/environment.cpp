// Registers the shared emulator for every e2e test in this program (gtest_main runs them).
#include "emulator_fixture.hpp"

namespace {
[[maybe_unused]] auto* const g_environment =
    ::testing::AddGlobalTestEnvironment(new hfrun::test::EmulatorEnvironment);
} // namespace
