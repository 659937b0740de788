// The published --json contracts (docs/schemas/*.schema.json) cannot rot: each file is valid JSON,
// a draft 2020-12 schema inside the subset the validator checks (so nothing in it is silently
// ignored), linked from docs/output.md, and named by some test that validates output against it.
#include "support/json_schema.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>

namespace hfrun::test {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<fs::path> schema_files() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(schema_dir())) {
    out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The C++ test sources outside this folder (tests/unit/support holds only the validator's own
// tests, which name no schema to check output against).
std::string test_sources() {
  std::string all;
  const fs::path tests = HFRUN_TESTS_DIR;
  for (const auto& entry : fs::recursive_directory_iterator(tests)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".cpp" || ext == ".hpp") &&
        entry.path().parent_path() != tests / "unit" / "support" &&
        entry.path().parent_path() != tests / "support") {
      all += read_text(entry.path());
    }
  }
  return all;
}

TEST(Schemas, TheFolderHoldsTheContracts) {
  ASSERT_TRUE(fs::is_directory(schema_dir())) << schema_dir();
  EXPECT_GE(schema_files().size(), 10U);
}

TEST(Schemas, EachIsAValidSchemaInsideTheCheckedSubset) {
  for (const auto& path : schema_files()) {
    SCOPED_TRACE(path.filename().string());
    EXPECT_TRUE(path.filename().string().ends_with(".schema.json")) << "named NAME.schema.json";
    const nlohmann::json schema = load_json_file(path);
    ASSERT_FALSE(schema.is_discarded()) << "not valid JSON";
    ASSERT_TRUE(schema.is_object());
    EXPECT_EQ(schema.value("$schema", ""), "https://json-schema.org/draft/2020-12/schema");
    EXPECT_FALSE(schema.value("title", "").empty()) << "a title naming the command";
    const auto problems = check_schema(schema);
    EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  }
}

TEST(Schemas, EachIsUsedBySomeTest) {
  const std::string sources = test_sources();
  for (const auto& path : schema_files()) {
    const std::string name = path.filename().string();
    EXPECT_NE(sources.find("\"" + name + "\""), std::string::npos)
        << name << " is not named by any test under tests/ (a contract nobody checks)";
  }
}

TEST(Schemas, EachIsLinkedFromTheOutputDocs) {
  const std::string doc = read_text(schema_dir().parent_path() / "output.md");
  for (const auto& path : schema_files()) {
    const std::string link = "(schemas/" + path.filename().string() + ")";
    EXPECT_NE(doc.find(link), std::string::npos) << "docs/output.md does not link " << link;
  }
}

TEST(Schemas, TasksHasOneDefinitionPerTaskEachPinningItsName) {
  const nlohmann::json tasks = load_json_file(schema_dir() / "tasks.schema.json");
  ASSERT_TRUE(tasks.is_object() && tasks.contains("$defs"));
  std::size_t pinned = 0;
  for (const auto& [name, def] : tasks["$defs"].items()) {
    if (!def.contains("properties") || !def["properties"].contains("task")) {
      continue;
    }
    EXPECT_EQ(def["properties"]["task"], nlohmann::json({{"const", name}})) << name;
    // A document of another task does not pass as this one.
    nlohmann::json other = {{"task", name + "-not"}};
    EXPECT_FALSE(validate_against("tasks.schema.json", other, name).empty()) << name;
    ++pinned;
  }
  // docs/outputs.md: every task of the task table but the four binary ones (binary.schema.json).
  EXPECT_EQ(pinned, 24U);
}

} // namespace
} // namespace hfrun::test
