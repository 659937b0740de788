// hfrun's requests against what the official JS client (@huggingface/inference) sent for the same
// call, read from the emulator's request log: path, method, Content-Type and body semantics, for
// every `provider` and `auto` capture in peer-captures/inference-requests.jsonl. The differences
// that are deliberate are asserted as such, each with its reason (listed in docs/serverless.md).
#include "serverless_e2e.hpp"

#include <functional>
#include <map>
#include <set>

namespace hfrun::test::serverless {
namespace {

// The hfrun arguments equivalent to a capture's call_args (the JS call).
std::vector<std::string> equivalent_args(const json& capture) {
  const json& call = capture["call_args"];
  const std::string task = capture["task"];
  std::vector<std::string> args{"--task", task};
  if (capture["mode"] == "provider") {
    args.insert(args.end(), {"--provider", call["provider"].get<std::string>()});
  }
  auto blob_file = [](const std::string& placeholder) {
    return contains(placeholder, "tiny.wav") ? k_wav : k_png;
  };
  if (call.contains("messages")) {
    for (const auto& m : call["messages"]) {
      args.insert(args.end(), {"--text", m["content"].get<std::string>()});
    }
    for (const auto& [key, value] : call.items()) {
      if (key != "messages" && key != "model" && key != "provider") {
        args.push_back(key + ":=" + value.dump());
      }
    }
  } else if (call["inputs"].is_string()) {
    const std::string inputs = call["inputs"];
    if (inputs.starts_with("<tiny.")) {
      args.insert(args.end(), {"--file", blob_file(inputs)});
    } else {
      args.insert(args.end(), {"--text", inputs});
    }
  } else {
    for (const auto& [key, value] : call["inputs"].items()) {
      if (key == "image") {
        args.insert(args.end(), {"--file", blob_file(value.get<std::string>())});
      } else {
        args.push_back(value.is_string() ? key + "=" + value.get<std::string>()
                                         : key + ":=" + value.dump());
      }
    }
  }
  if (call.contains("parameters")) {
    for (const auto& [key, value] : call["parameters"].items()) {
      args.push_back(key + ":=" + value.dump());
    }
  }
  const bool streamed = capture.contains("body_json") && capture["body_json"].is_object() &&
                        capture["body_json"].value("stream", false);
  if (streamed) {
    args.push_back("--stream");
  }
  return args;
}

// --dry-run stops at the first request; with the provider named (and --task) that is the
// inference request itself. Auto mode picks hf-inference for these models, so the body is the same.
std::vector<std::string> dry_run_args(const json& capture) {
  auto args = equivalent_args(capture);
  if (capture["mode"] == "auto" && capture["task"] != "conversational") {
    args.insert(args.end(), {"--provider", "hf-inference"});
  }
  args.insert(args.begin(), "--dry-run");
  return args;
}

std::string model_of(const json& capture) {
  return capture["call_args"]["model"].get<std::string>();
}

std::string path_of(const json& capture) {
  const std::string p = capture["url_path"];
  return p.substr(0, p.find('?'));
}

// The inference POSTs (provider and auto modes) of the JS captures.
std::vector<json> inference_captures() {
  std::vector<json> out;
  for (auto& c : captures()) {
    if ((c["mode"] == "provider" || c["mode"] == "auto") && c["method"] == "POST") {
      out.push_back(std::move(c));
    }
  }
  return out;
}

// Captures where hfrun sends something else on purpose: why, and what hfrun sends instead.
struct Deliberate {
  std::string reason;
  std::string path;               // "" = the capture's path
  std::function<json()> expected; // the body hfrun sends
};

// text-generation on hf-inference (captures 46, 47): TGI's own body to the model route, as
// huggingface_hub sends it, so details and grammars can be asked for; OpenAI completions only as
// the fallback for a model without that route (docs/serverless.md, "text-generation").
json tgi_body(const json& capture, bool stream) {
  json params = capture["call_args"]["parameters"];
  params["details"] = true;           // the finish reason comes in the details
  params["return_full_text"] = false; // the continuation alone, as huggingface_hub asks
  json body{{"inputs", capture["call_args"]["inputs"]}, {"parameters", params}};
  if (stream) {
    body["stream"] = true;
  }
  return body;
}

const json& capture_of(int seq) {
  static const std::vector<json> all = captures();
  for (const auto& c : all) {
    if (c["seq"] == seq) {
      return c;
    }
  }
  static const json none;
  return none;
}

const std::map<int, Deliberate>& deliberate_differences() {
  static const std::map<int, Deliberate> k{
      {54,
       {"image-classification with top_k: the JS client silently drops the parameters of "
        "image/audio tasks and uploads the raw file; hfrun sends "
        "{\"inputs\":<base64>,\"parameters\":{...}} as Python does, so top_k:=2 takes effect",
        "",
        [] {
          return json({{"inputs", base64_of(read_bytes(k_png))},
                       {"parameters", capture_of(54)["call_args"]["parameters"]}});
        }}},
      {46,
       {"text-generation on hf-inference: TGI's body to the model route (huggingface_hub's), not "
        "OpenAI completions (huggingface.js's), so details and grammars work",
        "/hf-inference/models/openai-community/gpt2",
        [] { return tgi_body(capture_of(46), false); }}},
      {47,
       {"text-generation streamed on hf-inference: TGI's body with \"stream\": true",
        "/hf-inference/models/openai-community/gpt2",
        [] { return tgi_body(capture_of(47), true); }}},
  };
  return k;
}

struct Capture {
  json c;
};
void PrintTo(const Capture& capture, std::ostream* os) {
  *os << "capture " << capture.c["seq"];
}

std::vector<Capture> inference_capture_params() {
  std::vector<Capture> out;
  for (auto& c : inference_captures()) {
    out.push_back({std::move(c)});
  }
  return out;
}

class MatchesTheJsClient : public ::testing::TestWithParam<Capture> {};

TEST_P(MatchesTheJsClient, PathMethodContentTypeAndBody) {
  const json& capture = GetParam().c;
  const int seq = capture["seq"];
  const auto args = equivalent_args(capture);
  SCOPED_TRACE("capture " + std::to_string(seq) + ": hfrun serverless " + model_of(capture) + " " +
               joined(args));

  // What hfrun will send, from --dry-run (exactly the bytes; checked against the wire below).
  auto plan = serverless(model_of(capture), dry_run_args(capture));
  ASSERT_EQ(plan.exit_code, 0) << describe(plan);
  const auto body = dry_run_body(plan.out);
  ASSERT_TRUE(body.has_value()) << "no body in: " << plan.out;

  LogWindow log;
  auto r = serverless(model_of(capture), args);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json post = log.last_post();
  ASSERT_TRUE(post.is_object()) << "no POST logged";

  EXPECT_EQ(post["method"], capture["method"]);
  const auto deliberate = deliberate_differences().find(seq);
  const bool differs = deliberate != deliberate_differences().end();
  EXPECT_EQ(post["path"], differs && !deliberate->second.path.empty() ? deliberate->second.path
                                                                      : path_of(capture));
  EXPECT_EQ(post["body_sha256"], sha256_hex(*body)) << "the dry run shows the body that is sent";
  EXPECT_EQ(post["body_size"], body->size());
  if (capture["mode"] == "provider") {
    // hfrun knows hf-inference's routes: no mapping lookup when the user names it. The JS client
    // asks the Hub first (the GET before each capture).
    EXPECT_TRUE(log.entries(0, "hub").empty());
  }

  const std::string content_type = header(post, "content-type");
  if (differs) {
    SCOPED_TRACE("deliberate: " + deliberate->second.reason);
    EXPECT_EQ(content_type, "application/json");
    EXPECT_EQ(parse_json(*body), deliberate->second.expected());
    return;
  }
  EXPECT_EQ(content_type, capture["content_type"]);
  if (capture["body_format"] == "raw-binary") {
    // The file's bytes, untouched.
    EXPECT_EQ(post["body_sha256"], capture["body_sha256"]);
    EXPECT_EQ(post["body_size"], capture["body_length"]);
    return;
  }
  // JSON: the same value (key order may differ; nlohmann compares values).
  const json sent = parse_json(*body);
  ASSERT_FALSE(sent.is_discarded()) << *body;
  EXPECT_EQ(sent, capture["body_json"])
      << "hfrun: " << *body << "\njs:    " << capture["body"].get<std::string>();
}

INSTANTIATE_TEST_SUITE_P(Captures,
                         MatchesTheJsClient,
                         ::testing::ValuesIn(inference_capture_params()),
                         [](const ::testing::TestParamInfo<Capture>& p) {
                           const json& c = p.param.c;
                           std::string name = c["task"].get<std::string>() + "_" +
                                              c["mode"].get<std::string>() + "_" +
                                              std::to_string(c["seq"].get<int>());
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Byte for byte: which bodies are identical to the JS client's, and why the others are not. A
// failure here means a body changed its serialisation: update the list (and docs) if intended.
TEST(ServerlessRequests, BodiesByteIdenticalToTheJsClientExceptKeyOrder) {
  // Key order only (the JSON values are equal, checked above): hfrun writes the keys of "inputs",
  // "parameters" and chat messages sorted; the JS client keeps insertion order.
  const std::set<int> key_order_only{31, 40, 49, 50, 52, 73, 74};
  std::set<int> differing;
  for (const auto& capture : inference_captures()) {
    const int seq = capture["seq"];
    if (deliberate_differences().contains(seq)) {
      continue;
    }
    auto plan = serverless(model_of(capture), dry_run_args(capture));
    ASSERT_EQ(plan.exit_code, 0) << describe(plan);
    const auto body = dry_run_body(plan.out);
    ASSERT_TRUE(body.has_value());
    if (sha256_hex(*body) != capture["body_sha256"].get<std::string>()) {
      differing.insert(seq);
      if (!key_order_only.contains(seq)) {
        ADD_FAILURE() << "capture " << seq << " (" << capture["task"].get<std::string>()
                      << ")\nhfrun: " << body->substr(0, 300)
                      << "\njs:    " << capture.value("body", std::string()).substr(0, 300);
      }
    }
  }
  EXPECT_EQ(differing, key_order_only);
}

TEST(ServerlessRequests, AutoProviderLooksUpTheMappingLikeTheJsClient) {
  // Capture 75/76: textClassification without a provider: GET the mapping, then POST hf-inference.
  const auto all = captures();
  const auto get =
      std::find_if(all.begin(), all.end(), [](const json& c) { return c["seq"] == 75; });
  ASSERT_NE(get, all.end());
  LogWindow log;
  auto r = serverless("distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                      {"--text", "I love this movie!"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto hub = log.entries(1, "hub");
  ASSERT_EQ(hub.size(), 1U);
  EXPECT_EQ(hub[0]["method"], "GET");
  const std::string js_path = (*get)["url_path"];
  EXPECT_EQ(hub[0]["path"], js_path.substr(0, js_path.find('?')));
  // Deliberate: hfrun also asks expand[]=pipeline_tag (the task when no provider maps the model),
  // so the query is a superset of the JS client's expand[]=inferenceProviderMapping.
  EXPECT_TRUE(contains(hub[0]["query"].get<std::string>(), "inferenceProviderMapping"))
      << hub[0].dump();
  EXPECT_EQ(header(hub[0], "authorization"), "<present>");
  const auto post = log.last_post();
  EXPECT_EQ(post["path"],
            "/hf-inference/models/distilbert/distilbert-base-uncased-finetuned-sst-2-english");
  const auto js_post =
      std::find_if(all.begin(), all.end(), [](const json& c) { return c["seq"] == 76; });
  EXPECT_EQ(post["body_sha256"], (*js_post)["body_sha256"]);
}

// Deliberate: an untyped JS Blob goes out with no Content-Type (capture 77-81); hfrun sniffs the
// bytes, so a file without (or with a wrong) extension still reaches the service with its real
// type. The bytes themselves are the same.
TEST(ServerlessRequests, RawUploadsCarryASniffedContentType) {
  const auto all = captures();
  const auto dir = scratch();
  struct Case {
    int seq;
    std::string model;
    std::string source;
    std::string name;
    std::string type;
  };
  for (const auto& c : std::vector<Case>{
           {78, "facebook/detr-resnet-50", k_png, "noextension", "image/png"},
           {79, "Salesforce/blip-image-captioning-base", k_png, "photo.wav", "image/png"},
           {80, "openai/whisper-large-v3", k_wav, "speech.png", "audio/wav"}}) {
    SCOPED_TRACE(c.name);
    const auto capture =
        std::find_if(all.begin(), all.end(), [&](const json& j) { return j["seq"] == c.seq; });
    ASSERT_NE(capture, all.end());
    EXPECT_TRUE((*capture)["content_type"].is_null()) << "the JS client sent none";
    std::filesystem::copy_file(c.source, dir / c.name);
    LogWindow log;
    auto r = serverless(c.model, {"--file", (dir / c.name).string()});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const auto post = log.last_post();
    EXPECT_EQ(header(post, "content-type"), c.type);
    EXPECT_EQ(post["body_sha256"], (*capture)["body_sha256"]);
  }
}

// Deliberate: Accept. The JS client sends */* everywhere; hfrun asks image/png for text-to-image
// and image-to-image (as Python does; the server may still answer JPEG, the file type follows the
// reply's Content-Type).
TEST(ServerlessRequests, AcceptHeaders) {
  LogWindow log;
  auto image = serverless("stabilityai/stable-diffusion-xl-base-1.0",
                          {"--text", "a tiny red square", "width:=8", "height:=8"});
  ASSERT_EQ(image.exit_code, 0) << describe(image);
  EXPECT_EQ(header(log.last_post(), "accept"), "image/png");
  LogWindow log2;
  auto labels = serverless("distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                           {"--text", "I love it"});
  ASSERT_EQ(labels.exit_code, 0) << describe(labels);
  const std::string accept = header(log2.last_post(), "accept");
  EXPECT_TRUE(accept.empty() || accept == "*/*" || contains(accept, "application/json")) << accept;
}

} // namespace
} // namespace hfrun::test::serverless
