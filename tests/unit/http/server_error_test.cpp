#include "unit/http/reply.hpp"

#include <gtest/gtest.h>
#include <hfrun/http/server_error.hpp>

namespace hfrun::http {
namespace {

struct Case {
  const char* name;
  Response response;
  std::string message;
  ErrorKind kind;
  int exit_code;
};

// Bodies recorded from real servers (serverless.md §3.2, endpoints.md "Implications" item 4, the
// huggingface.js tapes), each with the message and exit code a user must get.
std::vector<Case> recorded_cases() {
  return {
      {"error as a list", reply(400, R"({"error":["Error in `inputs.context`: field required"]})"),
       "Error in `inputs.context`: field required", ErrorKind::rejected, 6},
      {"error string with warnings",
       reply(
           400,
           R"json({"error":"The following `model_kwargs` are not used by the model: ['watermark', 'stop', 'decoder_input_details'] (note: typos in the generate arguments will also show up in this list)","warnings":["x"]})json"),
       "The following `model_kwargs` are not used by the model: ['watermark', 'stop', "
       "'decoder_input_details'] (note: typos in the generate arguments will also show up in this "
       "list)",
       ErrorKind::rejected, 6},
      {"router plain text",
       reply(400, "The requested model 'X' is not supported by any provider you have enabled.",
             "text/plain"),
       "The requested model 'X' is not supported by any provider you have enabled.",
       ErrorKind::rejected, 6},
      {"OpenAI error object",
       reply(
           400,
           R"({"error":{"message":"the provider you attempted to explicitly specify 'auto' is not a valid provider.","type":"invalid_request_error","param":"model","code":"model_not_supported"}})"),
       "the provider you attempted to explicitly specify 'auto' is not a valid provider.",
       ErrorKind::rejected, 6},
      {"bad token",
       reply(401, R"({"error":"Invalid username or password."})",
             "application/json; charset=utf-8"),
       "Invalid username or password.", ErrorKind::auth, 3},
      {"billing", reply(402, "Pay-as-you go is not enabled for provider fal-ai yet.", "text/plain"),
       "Pay-as-you go is not enabled for provider fal-ai yet.", ErrorKind::rate_limited, 5},
      {"unknown model",
       reply(404, R"({"error":"Model this-model-does-not-exist-123 does not exist"})"),
       "Model this-model-does-not-exist-123 does not exist", ErrorKind::not_found, 4},
      {"older proxy", reply(404, R"({"error":"Not Found: Model not found"})"),
       "Not Found: Model not found", ErrorKind::not_found, 4},
      {"legacy API gone",
       reply(
           410,
           R"({"error":"https://api-inference.huggingface.co is no longer supported. Please use https://router.huggingface.co instead."})"),
       "https://api-inference.huggingface.co is no longer supported. Please use "
       "https://router.huggingface.co instead.",
       ErrorKind::not_found, 4},
      {"TGI validation",
       reply(
           422,
           R"({"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 1512. Given: 2 `inputs` tokens and 10000 `max_new_tokens`","error_type":"validation"})"),
       "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 1512. Given: 2 "
       "`inputs` "
       "tokens and 10000 `max_new_tokens` [validation]",
       ErrorKind::rejected, 6},
      {"TGI template",
       reply(422,
             R"({"error":"Template error: template not found","error_type":"template_error"})"),
       "Template error: template not found [template_error]", ErrorKind::rejected, 6},
      {"TGI plain text",
       reply(422,
             "Failed to deserialize the JSON body into the target type: missing field `messages` "
             "at line 1 column 143",
             "text/plain; charset=utf-8"),
       "Failed to deserialize the JSON body into the target type: missing field `messages` at line "
       "1 column 143",
       ErrorKind::rejected, 6},
      {"FastAPI detail list",
       reply(
           422,
           R"({"detail":[{"type":"missing","loc":["body","messages"],"msg":"Field required","input":{"inputs":"Paris is"}}]})"),
       "body.messages: Field required", ErrorKind::rejected, 6},
      {"FastAPI detail list with an index",
       reply(
           422,
           R"({"detail":[{"loc":["body","loras",0,"path"],"msg":"str type expected","type":"type_error.str"},{"loc":["body","model_name"],"msg":"field required","type":"value_error.missing"}]})"),
       "body.loras.0.path: str type expected; body.model_name: field required", ErrorKind::rejected,
       6},
      {"detail string", reply(400, R"({"detail":"Unsupported data URL"})"), "Unsupported data URL",
       ErrorKind::rejected, 6},
      {"Replicate problem+json",
       reply(
           422,
           R"({"detail":"- Additional property provider is not allowed\n","status":422,"title":"Input validation failed","invalid_fields":[{"type":"additional_property_not_allowed","field":"","description":"Additional property provider is not allowed"}]})",
           "application/problem+json"),
       "Input validation failed: - Additional property provider is not allowed",
       ErrorKind::rejected, 6},
      {"gateway message",
       reply(
           404,
           R"({"message":"no Route matched with those values","request_id":"1d3de173b2ad3558d3fb33431615bf43"})"),
       "no Route matched with those values", ErrorKind::not_found, 4},
      {"too busy",
       reply(500, "Model too busy, unable to get response in less than 120 second(s)",
             "text/plain"),
       "Model too busy, unable to get response in less than 120 second(s)", ErrorKind::unavailable,
       7},
      {"toolkit", reply(400, R"({"error":"'NoneType' object is not iterable"})"),
       "'NoneType' object is not iterable", ErrorKind::rejected, 6},
      {"TGI unhealthy", reply(503, R"({"error":"unhealthy","error_type":"healthcheck"})"),
       "unhealthy [healthcheck]", ErrorKind::unavailable, 7},
      {"TEI capitalised type",
       reply(429, R"({"error":"Model is overloaded","error_type":"Overloaded"})"),
       "Model is overloaded [Overloaded]", ErrorKind::rate_limited, 5},
      {"TEI backend failure", reply(424, R"({"error":"backend error","error_type":"Backend"})"),
       "backend error [Backend]", ErrorKind::unavailable, 7},
      {"TEI OpenAI route",
       reply(
           413,
           R"({"message":"batch size 64 > maximum allowed batch size 32","code":413,"type":"Validation"})"),
       "batch size 64 > maximum allowed batch size 32", ErrorKind::rejected, 6},
      {"vLLM nested",
       reply(
           400,
           R"({"error":{"message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400}})"),
       "max_tokens is too large", ErrorKind::rejected, 6},
      {"vLLM flat",
       reply(
           400,
           R"({"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404})"),
       "The model `x` does not exist.", ErrorKind::rejected, 6},
      {"llama.cpp loading",
       reply(503, R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})"),
       "Loading model", ErrorKind::unavailable, 7},
      {"Ollama", reply(404, R"({"error":"model \"llama3\" not found, try pulling it first"})"),
       "model \"llama3\" not found, try pulling it first", ErrorKind::not_found, 4},
      {"OAuth", reply(400, R"({"error_description":"invalid grant"})"), "invalid grant",
       ErrorKind::rejected, 6},
      {"errors list", reply(400, R"({"errors":[{"message":"first"},{"message":"second"}]})"),
       "first; second", ErrorKind::rejected, 6},
      {"gateway timeout HTML",
       reply(504,
             "<html>\r\n<head><title>504 Gateway "
             "Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway "
             "Time-out</h1></center>\r\n</body>\r\n</html>\r\n",
             "text/html"),
       "504 Gateway Time-out (HTML page)", ErrorKind::unavailable, 7},
      {"HTML without a content type",
       reply(502,
             "<!DOCTYPE html><html><body><h1>Bad  <b>Gateway</b> &amp; friends</h1><p>long "
             "page</p></body></html>",
             ""),
       "Bad Gateway & friends (HTML page)", ErrorKind::unavailable, 7},
      {"empty body", reply(502, "", ""), "", ErrorKind::unavailable, 7},
      {"misdirected",
       reply(
           421,
           R"({"message":"Welcome to the OpenAI API! Documentation is available at https://platform.openai.com/docs/api-reference"})"),
       "Welcome to the OpenAI API! Documentation is available at "
       "https://platform.openai.com/docs/api-reference",
       ErrorKind::rejected, 6},
      {"timeout", reply(408, "", ""), "", ErrorKind::unavailable, 7},
      {"redirect status", reply(302, "", ""), "", ErrorKind::bad_response, 9},
  };
}

TEST(ServerError, EveryRecordedShapeGivesItsMessageKindAndExitCode) {
  for (const Case& c : recorded_cases()) {
    EXPECT_EQ(extract_server_message(c.response), c.message) << c.name;
    const Error e = error_from_response(c.response, "text-generation request");
    EXPECT_EQ(e.kind, c.kind) << c.name;
    EXPECT_EQ(exit_code_for(e.kind), c.exit_code) << c.name;
    EXPECT_EQ(e.http_status, c.response.status) << c.name;
    EXPECT_EQ(e.server_message, c.message) << c.name;
    EXPECT_EQ(e.message, "text-generation request") << c.name;
    EXPECT_FALSE(e.hint.empty()) << c.name;
  }
}

TEST(ServerError, HeaderMessageComesFirst) {
  Response r = reply(403, "");
  r.headers.add("X-Error-Message", "Access to model meta-llama/Llama-3.1-8B is restricted.");
  EXPECT_EQ(extract_server_message(r), "Access to model meta-llama/Llama-3.1-8B is restricted.");
  r.body = R"({"error":"Access to model meta-llama/Llama-3.1-8B is restricted."})";
  EXPECT_EQ(extract_server_message(r), "Access to model meta-llama/Llama-3.1-8B is restricted.");
  r.body = R"({"error":"something else"})";
  EXPECT_EQ(extract_server_message(r),
            "Access to model meta-llama/Llama-3.1-8B is restricted.; something else");
}

TEST(ServerError, HintsSpeakOfHttpOnlyNoHostsNoFlags) {
  // The Hub's meaning (client/errors.hpp) and the CLI's flags (cli/hints.cpp) are added above.
  for (int status : {400, 401, 402, 403, 404, 408, 410, 413, 422, 429, 500, 503, 504}) {
    const Error e = error_from_response(reply(status, ""), "x");
    EXPECT_FALSE(e.hint.empty()) << status;
    EXPECT_EQ(e.hint.find("huggingface"), std::string::npos) << status << ": " << e.hint;
    EXPECT_EQ(e.hint.find("--"), std::string::npos) << status << ": " << e.hint;
  }
  Response limited = reply(429, "429 Client Error: Too Many Requests", "text/plain");
  limited.headers.add("Retry-After", "30");
  EXPECT_NE(error_from_response(limited, "x").hint.find("wait 30 s"), std::string::npos);
}

TEST(ServerError, RequestIdPreference) {
  Headers h;
  h.add("x-amz-cf-id", "cf");
  EXPECT_EQ(request_id(h), "cf");
  h.add("X-Amzn-Trace-Id", "Root=1-67dd4b63-abc");
  EXPECT_EQ(request_id(h), "Root=1-67dd4b63-abc");
  h.add("X-Request-Id", "req-1");
  EXPECT_EQ(request_id(h), "req-1");
  EXPECT_EQ(request_id(Headers{}), "");
  Response r = reply(500, "");
  r.headers = h;
  EXPECT_EQ(error_from_response(r, "x").request_id, "req-1");
}

TEST(ServerError, LongBodiesAreTruncatedAndSecretsMasked) {
  const std::string long_text(5000, 'a');
  const std::string message = extract_server_message(reply(500, long_text, "text/plain"));
  EXPECT_LE(message.size(), 503u);
  EXPECT_TRUE(message.ends_with("…"));
  EXPECT_EQ(extract_server_message(reply(401, R"({"error":"token hf_abcdefghijkl is invalid"})")),
            "token hf_*** is invalid");
}

TEST(ServerError, DescribeShowsStatusMessageAndRequestId) {
  Response r = reply(404, R"({"error":"Model x/y does not exist"})");
  r.headers.add("x-request-id", "abc");
  const std::string text = describe(error_from_response(r, "text-classification request"));
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "text-classification request: HTTP 404: Model x/y does not exist (request id: abc)");
}

} // namespace
} // namespace hfrun::http
