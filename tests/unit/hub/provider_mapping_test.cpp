// hub::provider_mappings and hub::provider_mapping_list over both shapes the Hub uses for
// inferenceProviderMapping, and over entries of the wrong shape.
#include <gtest/gtest.h>
#include <hfrun/hub/model_info.hpp>

namespace hfrun::hub {
namespace {

using nlohmann::json;

std::vector<std::string> providers_of(const std::vector<ProviderMapping>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    out.push_back(e.provider);
  }
  return out;
}

TEST(ProviderMappings, DictAndListShapesGiveTheSameTypedEntries) {
  const json dict = json::parse(R"({"inferenceProviderMapping":{"fal-ai":{"status":"live",
      "providerId":"fal-ai/flux-lora","task":"text-to-image","adapter":"lora",
      "adapterWeightsPath":"w.safetensors","type":"single-model"}}})");
  const json list = json::parse(R"({"inferenceProviderMapping":[{"provider":"fal-ai",
      "status":"live","providerId":"fal-ai/flux-lora","task":"text-to-image","adapter":"lora",
      "adapterWeightsPath":"w.safetensors","type":"single-model"}]})");
  for (const json* info : {&dict, &list}) {
    const auto entries = provider_mappings(*info);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].provider, "fal-ai");
    EXPECT_EQ(entries[0].provider_id, "fal-ai/flux-lora");
    EXPECT_EQ(entries[0].task, "text-to-image");
    EXPECT_EQ(entries[0].status, "live");
    EXPECT_EQ(entries[0].adapter, "lora");
    EXPECT_EQ(entries[0].type, "single-model");
  }
}

TEST(ProviderMappings, ListKeepsTheHubsOrder) {
  const json info = json::parse(R"({"inferenceProviderMapping":[
      {"provider":"together","providerId":"a","task":"conversational","status":"live"},
      {"provider":"cerebras","providerId":"b","task":"conversational","status":"error"},
      {"provider":"nebius","providerId":"c","task":"conversational","status":"staging"}]})");
  const auto entries = provider_mappings(info);
  EXPECT_EQ(providers_of(entries), (std::vector<std::string>{"together", "cerebras", "nebius"}));
  EXPECT_EQ(entries[1].status, "error");
  EXPECT_EQ(entries[2].provider_id, "c");
}

TEST(ProviderMappings, MissingOrNullOptionalFieldsTakeTheirDefaults) {
  const json info = json::parse(R"({"inferenceProviderMapping":{
      "a":{},
      "b":{"providerId":null,"task":null,"status":null,"adapter":null,"type":null}}})");
  const auto entries = provider_mappings(info);
  EXPECT_EQ(providers_of(entries), (std::vector<std::string>{"a", "b"}));
  for (const auto& e : entries) {
    EXPECT_EQ(e.provider_id, "");
    EXPECT_EQ(e.status, "live");
    EXPECT_EQ(e.task, "");
    EXPECT_EQ(e.adapter, "");
    EXPECT_EQ(e.type, "");
  }
}

TEST(ProviderMappings, SkipsMalformedEntriesAndKeepsTheRest) {
  const json list = json::parse(R"({"inferenceProviderMapping":[
      3, "x", null, [], {},
      {"providerId":"no-provider"},
      {"provider":7,"providerId":"numeric-provider"},
      {"provider":"","providerId":"empty-provider"},
      {"provider":"p3","providerId":5},
      {"provider":"p4","providerId":"x","status":1},
      {"provider":"p5","providerId":"x","task":["a"]},
      {"provider":"p6","providerId":"x","adapter":{}},
      {"provider":"p7","providerId":"x","type":true},
      {"provider":"good","providerId":"g","task":"conversational"}]})");
  EXPECT_EQ(providers_of(provider_mappings(list)), (std::vector<std::string>{"good"}));

  const json dict = json::parse(R"({"inferenceProviderMapping":{
      "a":"not an object", "b":null, "c":[1], "d":{"providerId":1},
      "good":{"providerId":"g","status":"staging"}}})");
  const auto entries = provider_mappings(dict);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].provider, "good");
  EXPECT_EQ(entries[0].status, "staging");
}

TEST(ProviderMappings, NoMappingOrAMappingOfAnotherTypeGivesNoEntries) {
  for (const char* info : {R"({})", R"({"inferenceProviderMapping":null})",
                           R"({"inferenceProviderMapping":"together"})",
                           R"({"inferenceProviderMapping":42})", R"([])", R"("model")", "null"}) {
    SCOPED_TRACE(info);
    EXPECT_TRUE(provider_mappings(json::parse(info)).empty());
    EXPECT_EQ(provider_mapping_list(json::parse(info)), json::array());
  }
}

TEST(ProviderMappingList, DictBecomesTheListFormAndBadEntriesAreSkipped) {
  const json dict = json::parse(R"({"inferenceProviderMapping":{
      "together":{"providerId":"t","status":"live"}, "bad":"x"}})");
  EXPECT_EQ(provider_mapping_list(dict),
            json::parse(R"([{"provider":"together","providerId":"t","status":"live"}])"));
  const json list = json::parse(R"({"inferenceProviderMapping":[
      {"provider":"a","providerId":"1"}, {"provider":null,"providerId":"2"},
      {"providerId":"3"}, 4, {"provider":"b","providerId":"5"}]})");
  EXPECT_EQ(
      provider_mapping_list(list),
      json::parse(R"([{"provider":"a","providerId":"1"},{"provider":"b","providerId":"5"}])"));
}

} // namespace
} // namespace hfrun::hub
