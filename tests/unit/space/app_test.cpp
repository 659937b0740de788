// /config and /info as Gradio versions write them (docs/space.md, "API discovery"). The 5.x config
// is the one @gradio/client was served in tests/data/peer-captures/gradio-connect.jsonl (seq 86).
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/space/app.hpp>

namespace hfrun::space {
namespace {

// The body a capture line (by its "seq") was answered with.
std::string captured_answer(int seq) {
  std::ifstream in(std::string(HFRUN_TEST_DATA_DIR) + "/peer-captures/gradio-connect.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const auto entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("seq", -1) == seq) {
      return entry["canned_response"].value("body_text", "");
    }
  }
  ADD_FAILURE() << "no capture line with seq " << seq;
  return "";
}

TEST(SpaceConfig, ReadsTheFiveXConfigOfTheCapture) {
  auto config = parse_config(captured_answer(86), "http://127.0.0.1:18763");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->version, "5.9.1");
  EXPECT_EQ(config->protocol, Protocol::sse_v3);
  EXPECT_EQ(config->base(), "http://127.0.0.1:18763/gradio_api");
  EXPECT_FALSE(config->max_file_size.has_value());
  ASSERT_EQ(config->dependencies.size(), 1u);
  const Dependency* d = config->dependency("/predict");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->fn_index, 0);
  EXPECT_EQ(d->inputs, std::vector<int>{1});
  EXPECT_TRUE(d->queued); // queue null + enable_queue
  EXPECT_FALSE(d->generator);
  EXPECT_TRUE(config->component(3)->skip_api);
  EXPECT_TRUE(config->has_call_route());
}

TEST(SpaceConfig, FourXHasNoPrefixAndOldConfigsTheirPosition) {
  auto config = parse_config(R"({"version": "4.12.0", "protocol": "sse_v1",
    "dependencies": [{"api_name": "a", "inputs": [], "outputs": []},
                     {"api_name": "/b", "inputs": [], "outputs": [], "queue": false}]})",
                             "https://x.hf.space/");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->base(), "https://x.hf.space");
  EXPECT_EQ(config->protocol, Protocol::sse_v1);
  EXPECT_EQ(config->dependency("a")->fn_index, 0);
  EXPECT_EQ(config->dependency("b")->fn_index, 1);
  EXPECT_FALSE(config->dependency("b")->queued);
  EXPECT_FALSE(config->has_call_route()); // /call came with 4.20
}

TEST(SpaceConfig, ARootOnAnotherOriginIsNotFollowed) {
  auto config = parse_config(R"({"version": "5.49.1", "api_prefix": "/gradio_api",
    "protocol": "sse_v3", "root": "https://evil.example"})",
                             "https://x.hf.space");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->base(), "https://x.hf.space/gradio_api");
  auto replica = parse_config(R"({"version": "4.44.1", "protocol": "sse_v3",
    "root": "https://x.hf.space/--replicas/qfm9d/"})",
                              "https://x.hf.space");
  ASSERT_TRUE(replica);
  EXPECT_EQ(replica->base(), "https://x.hf.space/--replicas/qfm9d");
}

TEST(SpaceConfig, ProtocolsOfEveryVersion) {
  auto old = parse_config(R"({"version": "3.50.2", "mode": "blocks"})", "http://h");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->protocol, Protocol::ws); // 3.x configs name no protocol
  EXPECT_EQ(parse_protocol("sse_v2.1"), Protocol::sse_v2_1);
  EXPECT_EQ(parse_protocol("sse_v2"), Protocol::sse_v2);
  EXPECT_EQ(parse_protocol("sse"), Protocol::sse);
  EXPECT_FALSE(parse_protocol("carrier-pigeon"));
  EXPECT_TRUE(uses_diffs(Protocol::sse_v2));
  EXPECT_FALSE(uses_diffs(Protocol::sse_v1));
}

TEST(SpaceConfig, PrivateEndpointsHaveNoName) {
  auto config = parse_config(R"({"version": "6.0.0", "protocol": "sse_v3",
    "dependencies": [{"id": 4, "api_name": "secret", "api_visibility": "private"}]})",
                             "http://h");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->dependency("secret"), nullptr);
}

TEST(SpaceConfig, NotJsonIsABadResponse) {
  auto config = parse_config("<!DOCTYPE html><html>Sleeping</html>", "http://h");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().kind, ErrorKind::bad_response);
}

TEST(SpaceConfig, VersionsCompareNumerically) {
  EXPECT_LT(compare_versions("4.9.1", "4.20.0"), 0);
  EXPECT_EQ(compare_versions("4.20", "4.20.0"), 0);
  EXPECT_GT(compare_versions("5.0.0b1", "4.44.1"), 0);
}

constexpr const char* k_info = R"({"named_endpoints": {
  "/predict": {"parameters": [{"label": "text", "parameter_name": "text",
     "parameter_has_default": false, "parameter_default": null, "type": {"type": "string"},
     "python_type": {"type": "str", "description": ""}, "component": "Textbox",
     "example_input": "Hello!!"}],
   "returns": [{"label": "output", "type": {"type": "string"},
     "python_type": {"type": "str", "description": ""}, "component": "Textbox"}]},
  "/classify": {"parameters": [
     {"label": "image", "parameter_name": "image", "parameter_has_default": false,
      "type": {"$defs": {"FileData": {"properties": {"path": {"type": "string"},
         "meta": {"properties": {"_type": {"const": "gradio.FileData"}}}}}},
        "$ref": "#/$defs/FileData"},
      "python_type": {"type": "filepath"}, "component": "Image"},
     {"label": "top k", "parameter_name": "top_k", "parameter_has_default": true,
      "parameter_default": 3, "type": {"type": "number"}, "python_type": {"type": "float"},
      "component": "Number"}],
   "returns": [{"label": "label", "type": {}, "python_type": {"type": "Dict"},
                "component": "Label"}]}},
  "unnamed_endpoints": {}})";

TEST(SpaceInfo, EndpointsInTheAppsOrderWithParameters) {
  auto info = parse_info(k_info);
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_EQ(info->endpoints.size(), 2u);
  EXPECT_EQ(info->endpoints[0].name, "/predict"); // not sorted: the app's order
  EXPECT_EQ(info->endpoints[1].name, "/classify");
  const ApiEndpoint* classify = info->find("classify");
  ASSERT_NE(classify, nullptr);
  ASSERT_EQ(classify->parameters.size(), 2u);
  EXPECT_TRUE(classify->parameters[0].is_file);
  EXPECT_EQ(classify->parameters[1].name, "top_k");
  EXPECT_TRUE(classify->parameters[1].has_default);
  EXPECT_EQ(classify->parameters[1].default_value, 3);
  EXPECT_FALSE(info->find("/predict")->parameters[0].is_file);
  EXPECT_EQ(info->find("/predict")->parameters[0].example, "Hello!!");
}

TEST(SpaceInfo, FileSchemasByShape) {
  using nlohmann::json;
  EXPECT_TRUE(is_file_schema(json::parse(
      R"({"properties": {"path": {}, "meta": {"properties": {"_type": {"default": "gradio.FileData"}}}}})")));
  EXPECT_TRUE(
      is_file_schema(json::parse(R"({"items": {"properties": {"path": {}, "meta": {}}}})")));
  EXPECT_FALSE(is_file_schema(json::parse(R"({"type": "string"})")));
  EXPECT_FALSE(is_file_schema(json::parse(R"({"$ref": "#/nowhere"})")));
}

TEST(SpaceInfo, WithoutNamedEndpointsIsABadResponse) {
  auto info = parse_info(R"({"unnamed_endpoints": {}})");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, ErrorKind::bad_response);
}

} // namespace
} // namespace hfrun::space
