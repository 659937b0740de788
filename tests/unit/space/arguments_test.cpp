// The user's name=value arguments mapped onto an endpoint's parameters (docs/space.md, "Inputs").
#include <gtest/gtest.h>
#include <hfrun/space/arguments.hpp>

namespace hfrun::space {
namespace {

using nlohmann::json;

ApiEndpoint calculator() {
  ApiEndpoint e;
  e.name = "/operate";
  Parameter a;
  a.name = "a";
  a.python_type = "float";
  a.schema = {{"type", "number"}};
  Parameter op;
  op.name = "operation";
  op.python_type = "Literal['add', 'subtract']";
  op.schema = {{"type", "string"}, {"enum", {"add", "subtract"}}};
  op.has_default = true;
  op.default_value = "add";
  Parameter image;
  image.name = "image";
  image.is_file = true;
  image.has_default = true;
  e.parameters = {a, op, image};
  return e;
}

std::vector<Argument> args(std::initializer_list<const char*> items) {
  std::vector<Argument> out;
  for (const char* item : items) {
    auto a = parse_argument(item);
    EXPECT_TRUE(a) << item;
    out.push_back(*a);
  }
  return out;
}

TEST(SpaceArguments, ParsesTheThreeForms) {
  auto text = parse_argument("prompt=a cat");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->kind, Argument::Kind::text);
  EXPECT_EQ(text->text, "a cat");
  auto j = parse_argument("steps:=20");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->kind, Argument::Kind::json);
  EXPECT_EQ(j->value, 20);
  auto file = parse_argument("image=@cat.png");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->kind, Argument::Kind::file);
  EXPECT_EQ(file->path, "cat.png");
  auto bad = parse_argument("steps:={nope");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
  EXPECT_FALSE(parse_argument("=x"));
}

// Seen with tests/fuzz/fuzz_space.cpp: a Latin-1 value passed the parser and made the request body
// throw when it was serialized (an "internal error" instead of a usage error).
TEST(SpaceArguments, NonUtf8ValuesAreUsageErrorsNamingTheParameter) {
  auto text = parse_argument("prompt=caf\xE9");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().kind, ErrorKind::usage);
  EXPECT_EQ(text.error().message, "parameter prompt: the value is not UTF-8 text");
  auto j = parse_argument("labels:=[\"caf\xE9\"]");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().message, "parameter labels: the value is not UTF-8 text");
  auto name = parse_argument("caf\xE9=x");
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().message, "a parameter's name is not UTF-8 text");
  EXPECT_TRUE(parse_argument("prompt=caf\xC3\xA9"));
}

TEST(SpaceArguments, DefaultsFillTheRestAndNumbersAreConverted) {
  auto slots = map_arguments(calculator(), args({"a=2.5"}), std::nullopt, "hfrun space x");
  ASSERT_TRUE(slots) << slots.error().message;
  ASSERT_EQ(slots->size(), 3u);
  EXPECT_EQ((*slots)[0].value, 2.5); // "2.5" for a number parameter
  EXPECT_EQ((*slots)[1].value, "add");
  EXPECT_TRUE((*slots)[2].value.is_null());
}

TEST(SpaceArguments, UnknownNameSuggestsTheClosest) {
  auto slots =
      map_arguments(calculator(), args({"a=1", "operatoin=add"}), std::nullopt, "hfrun space x");
  ASSERT_FALSE(slots);
  EXPECT_EQ(slots.error().kind, ErrorKind::usage);
  EXPECT_NE(slots.error().message.find("did you mean 'operation'"), std::string::npos)
      << slots.error().message;
  EXPECT_NE(slots.error().hint.find("a (required)"), std::string::npos) << slots.error().hint;
}

TEST(SpaceArguments, MissingRequiredIsNamed) {
  auto slots = map_arguments(calculator(), {}, std::nullopt, "hfrun space x");
  ASSERT_FALSE(slots);
  EXPECT_EQ(slots.error().kind, ErrorKind::usage);
  EXPECT_EQ(slots.error().message, "/operate needs a:=JSON");
}

TEST(SpaceArguments, FilesUploadOrPassAsUrls) {
  auto upload = map_arguments(calculator(), args({"a:=1", "image=@x.png"}), std::nullopt, "e");
  ASSERT_TRUE(upload);
  EXPECT_EQ((*upload)[2].upload, std::filesystem::path("x.png"));
  auto url = map_arguments(calculator(), args({"a:=1", "image=https://h/c/cat.png?x=1"}),
                           std::nullopt, "e");
  ASSERT_TRUE(url);
  EXPECT_EQ((*url)[2].value["path"], "https://h/c/cat.png?x=1");
  EXPECT_EQ((*url)[2].value["orig_name"], "cat.png");
  EXPECT_EQ((*url)[2].value["meta"]["_type"], "gradio.FileData");
  auto text = map_arguments(calculator(), args({"a:=1", "image=cat.png"}), std::nullopt, "e");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().kind, ErrorKind::usage);
  auto not_file = map_arguments(calculator(), args({"a=@x.png"}), std::nullopt, "e");
  ASSERT_FALSE(not_file);
}

TEST(SpaceArguments, PositionalInputsThenNamedOverrides) {
  auto slots =
      map_arguments(calculator(), args({"operation=subtract"}), json::parse("[7, \"add\"]"), "e");
  ASSERT_TRUE(slots);
  EXPECT_EQ((*slots)[0].value, 7);
  EXPECT_EQ((*slots)[1].value, "subtract");
  auto too_many = map_arguments(calculator(), {}, json::parse("[1,2,3,4]"), "e");
  ASSERT_FALSE(too_many);
  auto not_list = map_arguments(calculator(), {}, json::parse("{\"a\": 1}"), "e");
  ASSERT_FALSE(not_list);
}

TEST(SpaceArguments, StateInputsAreNullInThePayload) {
  AppConfig config;
  config.components = {{1, "number", false, "value"}, {2, "state", true, ""}};
  Dependency d;
  d.inputs = {1, 2};
  EXPECT_EQ(payload_data(config, &d, {json(5)}), json::parse("[5, null]"));
  EXPECT_EQ(payload_data(config, nullptr, {json(5), json("x")}), json::parse("[5, \"x\"]"));
}

TEST(SpaceArguments, UploadedFileData) {
  EXPECT_EQ(uploaded_file_data("/tmp/gradio/ab/cat.png", "cat.png", "http://h/gradio_api"),
            json::parse(R"({"path": "/tmp/gradio/ab/cat.png",
                            "url": "http://h/gradio_api/file=/tmp/gradio/ab/cat.png",
                            "orig_name": "cat.png", "meta": {"_type": "gradio.FileData"}})"));
}

} // namespace
} // namespace hfrun::space
