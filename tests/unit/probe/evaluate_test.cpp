// The verdict rules, one case per branch, on small model-info documents.
#include <algorithm>
#include <gtest/gtest.h>
#include <hfrun/probe/evaluate.hpp>

namespace hfrun::probe {
namespace {

using nlohmann::json;

// Names each parameterized case after its `name` field.
template <class Case> std::string case_name(const ::testing::TestParamInfo<Case>& p) {
  return p.param.name;
}

bool has_evidence(const WayBase& way, std::string_view text) {
  return std::any_of(way.evidence.begin(), way.evidence.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

std::vector<std::string> commands_of(const Report& r) {
  std::vector<std::string> out;
  for (const auto& c : r.commands) {
    out.push_back(c.command);
  }
  return out;
}

// ---- Inference Providers --------------------------------------------------------------------

struct ServerlessCase {
  const char* name;
  const char* model_info;
  Verdict expected;
  const char* evidence;
};

class ServerlessRule : public ::testing::TestWithParam<ServerlessCase> {};

TEST_P(ServerlessRule, DecidesFromLiveProvidersAndWarmth) {
  const auto& c = GetParam();
  Report r = evaluate(json::parse(c.model_info));
  EXPECT_EQ(r.ways.serverless.available, c.expected);
  EXPECT_TRUE(has_evidence(r.ways.serverless, c.evidence))
      << ::testing::PrintToString(r.ways.serverless.evidence);
}

INSTANTIATE_TEST_SUITE_P(
    Branches,
    ServerlessRule,
    ::testing::Values(
        ServerlessCase{"LiveProvider",
                       R"({"id":"a/b","inferenceProviderMapping":{"together":
                           {"status":"live","providerId":"x","task":"conversational"}}})",
                       Verdict::yes, "live: together"},
        ServerlessCase{"StagingOnly",
                       R"({"id":"a/b","inferenceProviderMapping":{"nebius":
                           {"status":"staging","providerId":"x","task":"conversational"}}})",
                       Verdict::no, "staging (the provider's org only): nebius"},
        ServerlessCase{"ErrorOnly",
                       R"({"id":"a/b","inferenceProviderMapping":{"cerebras":
                           {"status":"error","providerId":"x","task":"conversational"}}})",
                       Verdict::no, "error (failed its latest health check): cerebras"},
        ServerlessCase{"UnknownStatus",
                       R"({"id":"a/b","inferenceProviderMapping":{"p":{"providerId":"x",
                           "status":"paused"}}})",
                       Verdict::no, "other: p (paused)"},
        ServerlessCase{"EmptyStatus",
                       R"({"id":"a/b","inferenceProviderMapping":{"p":{"providerId":"x",
                           "status":""}}})",
                       Verdict::no, "other: p (no status)"},
        // hub::provider_mappings reads an absent status as "live", as the serverless backend does.
        ServerlessCase{"AbsentStatusIsLive",
                       R"({"id":"a/b","inferenceProviderMapping":{"p":{"providerId":"x"}}})",
                       Verdict::yes, "live: p"},
        ServerlessCase{"MalformedEntriesOnly",
                       R"({"id":"a/b","inferenceProviderMapping":{"p":{"providerId":5},
                           "q":"x"}})",
                       Verdict::no, "no Inference Provider serves it"},
        ServerlessCase{"MappingOfAnotherType", R"({"id":"a/b","inferenceProviderMapping":null})",
                       Verdict::no, "no Inference Provider serves it"},
        ServerlessCase{"EmptyMapping", R"({"id":"a/b","inferenceProviderMapping":{}})", Verdict::no,
                       "no Inference Provider serves it"},
        ServerlessCase{"EmptyListMapping", R"({"id":"a/b","inferenceProviderMapping":[]})",
                       Verdict::no, "no Inference Provider serves it"},
        ServerlessCase{"MappingAbsent", R"({"id":"a/b"})", Verdict::unknown,
                       "no inferenceProviderMapping"},
        ServerlessCase{"WarmWithoutMapping", R"({"id":"a/b","inference":"warm"})", Verdict::yes,
                       "inference: warm"},
        ServerlessCase{"ListShapeLive",
                       R"({"id":"a/b","inferenceProviderMapping":[{"provider":"together",
                           "providerId":"x","status":"live","task":"conversational"}]})",
                       Verdict::yes, "live: together"}),
    case_name<ServerlessCase>);

TEST(ServerlessRule, ListsEveryProviderWhateverItsStatus) {
  Report r = evaluate(json::parse(R"({"id":"a/b","inferenceProviderMapping":{
      "a":{"status":"live","providerId":"1","task":"conversational"},
      "b":{"status":"staging","providerId":"2","task":"conversational"},
      "c":{"status":"error","providerId":"3","task":"conversational"}}})"));
  ASSERT_EQ(r.ways.serverless.providers.size(), 3u);
  EXPECT_EQ(r.ways.serverless.providers[1].status, "staging");
  EXPECT_EQ(r.ways.serverless.available, Verdict::yes);
}

// ---- Inference Endpoints --------------------------------------------------------------------

struct EndpointCase {
  const char* name;
  const char* model_info;
  Verdict expected;
  std::vector<std::string> engines;
};

class EndpointRule : public ::testing::TestWithParam<EndpointCase> {};

TEST_P(EndpointRule, UsesTheTagAndTheFittingEngines) {
  const auto& c = GetParam();
  Report r = evaluate(json::parse(c.model_info));
  EXPECT_EQ(r.ways.endpoint.available, c.expected);
  EXPECT_EQ(r.ways.endpoint.engines, c.engines);
  EXPECT_TRUE(has_evidence(r.ways.endpoint, "heuristic"));
}

INSTANTIATE_TEST_SUITE_P(
    Branches,
    EndpointRule,
    ::testing::Values(
        EndpointCase{"TaggedTextGeneration",
                     R"({"id":"a/b","pipeline_tag":"text-generation",
                         "tags":["transformers","endpoints_compatible"]})",
                     Verdict::yes,
                     {"vllm", "sglang"}},
        EndpointCase{"TgiTagAddsTgi",
                     R"({"id":"a/b","pipeline_tag":"text-generation",
                         "tags":["transformers","text-generation-inference"]})",
                     Verdict::unknown,
                     {"vllm", "sglang", "tgi"}},
        EndpointCase{"MlxWeightsFitNoEngine",
                     R"({"id":"a/b","pipeline_tag":"text-generation","library_name":"mlx",
                         "tags":["mlx","transformers"]})",
                     Verdict::no,
                     {}},
        EndpointCase{"SentenceTransformersFitTei",
                     R"({"id":"a/b","pipeline_tag":"sentence-similarity",
                         "library_name":"sentence-transformers","tags":["endpoints_compatible"]})",
                     Verdict::yes,
                     {"tei"}},
        EndpointCase{"TeiTagFitsTei",
                     R"({"id":"a/b","pipeline_tag":"text-classification",
                         "tags":["text-embeddings-inference"]})",
                     Verdict::unknown,
                     {"tei"}},
        EndpointCase{"RerankerFitsTei",
                     R"({"id":"a/b","pipeline_tag":"text-ranking","tags":[]})",
                     Verdict::unknown,
                     {"tei"}},
        EndpointCase{"GgufFitsLlamaCpp",
                     R"({"id":"a/b","tags":["gguf"],"gguf":{"total":1}})",
                     Verdict::unknown,
                     {"llamacpp"}},
        EndpointCase{"DiffusersFitToolkit",
                     R"({"id":"a/b","pipeline_tag":"text-to-image","library_name":"diffusers",
                         "tags":["endpoints_compatible"]})",
                     Verdict::yes,
                     {"inference-toolkit"}},
        EndpointCase{"TransformersClassifierFitsToolkit",
                     R"({"id":"a/b","pipeline_tag":"text-classification","tags":["transformers"]})",
                     Verdict::unknown,
                     {"inference-toolkit"}},
        EndpointCase{"NothingFits",
                     R"({"id":"a/b","pipeline_tag":"reinforcement-learning",
                         "library_name":"stable-baselines3","tags":[]})",
                     Verdict::no,
                     {}}),
    case_name<EndpointCase>);

// ---- Spaces ---------------------------------------------------------------------------------

struct SpaceCase {
  const char* name;
  const char* spaces;   // the model's spaces value
  const char* runtimes; // id -> runtime body
  Verdict expected;
  const char* evidence;
};

class SpaceRule : public ::testing::TestWithParam<SpaceCase> {};

TEST_P(SpaceRule, NeedsARunningSpaceAmongThoseChecked) {
  const auto& c = GetParam();
  json info = {{"id", "a/b"}};
  if (std::string_view(c.spaces) != "absent") {
    info["spaces"] = json::parse(c.spaces);
  }
  std::map<std::string, json> runtimes;
  const json parsed = json::parse(c.runtimes); // items() refers into it: keep it alive
  for (const auto& [id, body] : parsed.items()) {
    runtimes.emplace(id, body);
  }
  Report r = evaluate(info, runtimes);
  EXPECT_EQ(r.ways.space.available, c.expected);
  EXPECT_TRUE(has_evidence(r.ways.space, c.evidence))
      << ::testing::PrintToString(r.ways.space.evidence);
}

INSTANTIATE_TEST_SUITE_P(
    Branches,
    SpaceRule,
    ::testing::Values(
        SpaceCase{"ListAbsent", "absent", "{}", Verdict::unknown, "no spaces list"},
        SpaceCase{"NoSpace", "[]", "{}", Verdict::no, "no Space uses it"},
        SpaceCase{"OneRunning", R"(["o/a","o/b"])",
                  R"({"o/a":{"stage":"RUNTIME_ERROR"},"o/b":{"stage":"RUNNING"}})", Verdict::yes,
                  "RUNNING: o/b"},
        SpaceCase{"RunningBuildingCounts", R"(["o/a"])", R"({"o/a":{"stage":"RUNNING_BUILDING"}})",
                  Verdict::yes, "RUNNING_BUILDING: o/a"},
        SpaceCase{"SleepingMayWake", R"(["o/a","o/b"])",
                  R"({"o/a":{"stage":"SLEEPING"},"o/b":{"stage":"PAUSED"}})", Verdict::unknown,
                  "SLEEPING: o/a"},
        SpaceCase{"AllDown", R"(["o/a","o/b"])",
                  R"({"o/a":{"stage":"PAUSED"},"o/b":{"stage":"BUILD_ERROR"}})", Verdict::no,
                  "none of them runs"},
        SpaceCase{"RuntimeMissing", R"(["o/a"])", "{}", Verdict::unknown, "not checked: o/a"},
        SpaceCase{"RuntimeUnreadable", R"(["o/a"])", R"({"o/a":{"error":"boom"}})",
                  Verdict::unknown, "not checked: o/a"},
        SpaceCase{"MoreThanCheckedAllDown", R"(["o/1","o/2","o/3","o/4","o/5","o/6"])",
                  R"({"o/1":{"stage":"PAUSED"},"o/2":{"stage":"PAUSED"},"o/3":{"stage":"PAUSED"},
                      "o/4":{"stage":"PAUSED"},"o/5":{"stage":"PAUSED"}})",
                  Verdict::unknown, "6 Spaces use it"}),
    case_name<SpaceCase>);

TEST(SpaceRule, ChecksOnlyTheFirstFewSpaces) {
  json info = {{"id", "a/b"}, {"spaces", {"o/1", "o/2", "o/3", "o/4", "o/5", "o/6"}}};
  Report r = evaluate(info, {{"o/6", json{{"stage", "RUNNING"}}}});
  EXPECT_EQ(r.ways.space.total, 6u);
  EXPECT_EQ(r.ways.space.checked.size(), 5u);
  EXPECT_NE(r.ways.space.available, Verdict::yes);
}

// ---- Libraries ------------------------------------------------------------------------------

TEST(LibrariesRule, NoLibraryName) {
  Report r = evaluate(json::parse(R"({"id":"a/b","tags":["gguf"]})"));
  EXPECT_EQ(r.ways.libraries.available, Verdict::no);
}

TEST(LibrariesRule, TransformersWithoutTransformersInfoIsUnknown) {
  Report r = evaluate(json::parse(R"({"id":"a/b","library_name":"transformers"})"));
  EXPECT_EQ(r.ways.libraries.available, Verdict::unknown);
  EXPECT_TRUE(has_evidence(r.ways.libraries, "no transformersInfo"));
}

TEST(LibrariesRule, TransformersWithTransformersInfo) {
  Report r = evaluate(json::parse(R"({"id":"a/b","library_name":"transformers",
      "transformersInfo":{"auto_model":"AutoModelForCausalLM","pipeline_tag":"text-generation"}})"));
  EXPECT_EQ(r.ways.libraries.available, Verdict::yes);
  EXPECT_EQ(r.ways.libraries.auto_model, "AutoModelForCausalLM");
  EXPECT_EQ(r.ways.libraries.pipeline_tag, "text-generation");
}

TEST(LibrariesRule, OtherLibrary) {
  Report r = evaluate(json::parse(R"({"id":"a/b","library_name":"diffusers",
      "pipeline_tag":"text-to-image"})"));
  EXPECT_EQ(r.ways.libraries.available, Verdict::yes);
  EXPECT_TRUE(has_evidence(r.ways.libraries, "library: diffusers"));
}

// ---- Local apps -----------------------------------------------------------------------------

TEST(LocalRule, MatchingAppsMakeItAvailableWithTheSettingsNote) {
  Report r =
      evaluate(json::parse(R"({"id":"a/b","tags":["gguf"],"gguf":{"context_length":2048}})"));
  EXPECT_EQ(r.ways.local.available, Verdict::yes);
  EXPECT_EQ(r.ways.local.apps.front().key, "llama.cpp");
  EXPECT_EQ(r.ways.local.apps.front().snippet, "llama-server -hf a/b");
  EXPECT_TRUE(std::any_of(r.notes.begin(), r.notes.end(), [](const std::string& n) {
    return n.find("settings/local-apps") != std::string::npos;
  }));
}

TEST(LocalRule, GgufWithoutContextLengthExplainsWhyNoAppShows) {
  Report r = evaluate(json::parse(R"({"id":"a/b","tags":["gguf"],"gguf":{"total":3}})"));
  EXPECT_EQ(r.ways.local.available, Verdict::no);
  EXPECT_TRUE(has_evidence(r.ways.local, "without a parsed context_length"));
}

// ---- Access ---------------------------------------------------------------------------------

struct AccessCase {
  const char* name;
  const char* model_info;
  bool is_private;
  const char* gated;
  bool needs_token;
  bool needs_terms;
};

class AccessRule : public ::testing::TestWithParam<AccessCase> {};

TEST_P(AccessRule, ReadsPrivateAndGated) {
  const auto& c = GetParam();
  Report r = evaluate(json::parse(c.model_info));
  EXPECT_EQ(r.access.is_private, c.is_private);
  EXPECT_EQ(r.access.gated, c.gated);
  EXPECT_EQ(r.access.needs_token, c.needs_token);
  EXPECT_EQ(r.access.needs_terms, c.needs_terms);
  EXPECT_FALSE(r.access.disabled);
}

INSTANTIATE_TEST_SUITE_P(
    Branches,
    AccessRule,
    ::testing::Values(
        AccessCase{"Open", R"({"id":"a/b","private":false,"gated":false})", false, "", false,
                   false},
        AccessCase{"Private", R"({"id":"a/b","private":true,"gated":false})", true, "", true,
                   false},
        AccessCase{"GatedAuto", R"({"id":"a/b","gated":"auto"})", false, "auto", true, true},
        AccessCase{"GatedManual", R"({"id":"a/b","gated":"manual"})", false, "manual", true, true},
        AccessCase{"GatedTrueLegacy", R"({"id":"a/b","gated":true})", false, "manual", true, true}),
    case_name<AccessCase>);

TEST(AccessRule, DisabledMakesEveryWayUnavailable) {
  Report r = evaluate(json::parse(R"({"id":"a/b","disabled":true,"inference":"warm",
      "pipeline_tag":"text-generation","library_name":"transformers",
      "transformersInfo":{"auto_model":"AutoModelForCausalLM"},
      "tags":["transformers","endpoints_compatible","gguf"],"gguf":{"context_length":1},
      "spaces":["o/a"],"inferenceProviderMapping":{"x":{"status":"live","task":"conversational"}}})"),
                      {{"o/a", json{{"stage", "RUNNING"}}}});
  EXPECT_TRUE(r.access.disabled);
  for (const WayBase* way :
       {static_cast<const WayBase*>(&r.ways.serverless),
        static_cast<const WayBase*>(&r.ways.endpoint), static_cast<const WayBase*>(&r.ways.space),
        static_cast<const WayBase*>(&r.ways.libraries),
        static_cast<const WayBase*>(&r.ways.local)}) {
    EXPECT_EQ(way->available, Verdict::no);
    EXPECT_TRUE(has_evidence(*way, "disabled"));
  }
  EXPECT_TRUE(r.commands.empty());
  EXPECT_EQ(r.ways.serverless.providers.size(), 1u) << "the facts stay in the report";
}

// ---- Task -----------------------------------------------------------------------------------

struct TaskCase {
  const char* name;
  const char* model_info;
  std::optional<std::string> expected;
};

class TaskRule : public ::testing::TestWithParam<TaskCase> {};

TEST_P(TaskRule, FallsBackInOrder) {
  EXPECT_EQ(evaluate(json::parse(GetParam().model_info)).task, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Branches,
    TaskRule,
    ::testing::Values(TaskCase{"PipelineTag",
                               R"({"id":"a/b","pipeline_tag":"fill-mask",
                     "transformersInfo":{"pipeline_tag":"feature-extraction"}})",
                               "fill-mask"},
                      TaskCase{"TransformersInfo",
                               R"({"id":"a/b","transformersInfo":{"pipeline_tag":"fill-mask"}})",
                               "fill-mask"},
                      TaskCase{"CardData",
                               R"({"id":"a/b","cardData":{"pipeline_tag":"translation"}})",
                               "translation"},
                      TaskCase{"LiveProviderTask",
                               R"({"id":"a/b","inferenceProviderMapping":{
                     "s":{"status":"staging","task":"text-to-video"},
                     "t":{"status":"live","task":"text-to-image"}}})",
                               "text-to-image"},
                      TaskCase{"None", R"({"id":"a/b"})", std::nullopt}),
    case_name<TaskCase>);

// ---- Commands -------------------------------------------------------------------------------

TEST(Commands, ChatModelGetsAChatCommand) {
  Report r = evaluate(json::parse(R"({"id":"meta-llama/Llama-3.1-8B-Instruct",
      "pipeline_tag":"text-generation","inferenceProviderMapping":{
      "novita":{"status":"live","providerId":"x","task":"conversational"}}})"));
  ASSERT_FALSE(r.commands.empty());
  EXPECT_EQ(r.commands[0].way, "serverless");
  EXPECT_EQ(r.commands[0].command,
            R"(hfrun serverless meta-llama/Llama-3.1-8B-Instruct --text "Hello")");
}

TEST(Commands, OtherTasksNameTheTaskAndASampleInput) {
  Report r = evaluate(json::parse(R"({"id":"black-forest-labs/FLUX.1-dev",
      "pipeline_tag":"text-to-image","inferenceProviderMapping":{
      "fal-ai":{"status":"live","providerId":"fal-ai/flux/dev","task":"text-to-image"}}})"));
  ASSERT_FALSE(r.commands.empty());
  EXPECT_EQ(
      r.commands[0].command,
      R"(hfrun serverless black-forest-labs/FLUX.1-dev --task text-to-image --text "An astronaut riding a horse on the moon" -o image.png)");
}

TEST(Commands, WarmModelWithoutMappingUsesThePipelineTask) {
  Report r = evaluate(json::parse(R"({"id":"google/vit-base-patch16-224","inference":"warm",
      "pipeline_tag":"image-classification"})"));
  EXPECT_EQ(commands_of(r),
            std::vector<std::string>{"hfrun serverless google/vit-base-patch16-224 --task "
                                     "image-classification --file image.png"});
}

TEST(Commands, EndpointSpaceAndLocal) {
  Report r =
      evaluate(json::parse(R"({"id":"TheBloke/Mistral-7B-Instruct-v0.2-AWQ",
      "pipeline_tag":"text-generation","library_name":"transformers",
      "tags":["transformers","conversational","endpoints_compatible"],
      "transformersInfo":{"auto_model":"AutoModelForCausalLM"},
      "spaces":["o/up","o/down"],"inferenceProviderMapping":{}})"),
               {{"o/up", json{{"stage", "RUNNING"}}}, {"o/down", json{{"stage", "PAUSED"}}}});
  EXPECT_EQ(commands_of(r),
            (std::vector<std::string>{
                "hfrun endpoint create mistral-7b-instruct-v0-2-awq --model "
                "TheBloke/Mistral-7B-Instruct-v0.2-AWQ --task text-generation",
                "hfrun space o/up --list",
                R"(hfrun local TheBloke/Mistral-7B-Instruct-v0.2-AWQ --text "Hello")"}));
}

TEST(Commands, IdsThatNeedQuotingAreQuoted) {
  Report r = evaluate(json::parse(R"({"id":"o/it's","inference":"warm",
      "pipeline_tag":"text-classification"})"));
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(
      r.commands[0].command,
      R"(hfrun serverless 'o/it'\''s' --task text-classification --text "I like you. I love you")");
}

TEST(Commands, MlxModelHasNoHfrunLocalCommand) {
  Report r = evaluate(json::parse(R"({"id":"mlx-community/x","pipeline_tag":"text-generation",
      "library_name":"mlx","tags":["mlx"],"inferenceProviderMapping":{}})"));
  EXPECT_EQ(r.ways.local.available, Verdict::yes);
  EXPECT_TRUE(r.commands.empty());
}

TEST(Evaluate, NeverThrowsOnOddInput) {
  for (const char* text : {"null", "[]", "3", R"({"id":7,"tags":{},"spaces":"x",
       "inferenceProviderMapping":"x","gguf":"x","config":[],"gated":3})"}) {
    Report r = evaluate(json::parse(text));
    EXPECT_EQ(r.model, "");
  }
}

} // namespace
} // namespace hfrun::probe
