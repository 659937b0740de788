// What the cache layer's tests share: a fresh scratch folder per test, and reading a file whole.
#pragma once

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

namespace hfrun::cache::testing {

// <tmp>/hfrun-<kind>-test-<pid>-<test name>, empty.
inline std::filesystem::path temp_dir(const std::string& kind = "cache") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() /
             ("hfrun-" + kind + "-test-" + std::to_string(::getpid()) + "-" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace hfrun::cache::testing
