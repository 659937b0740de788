// The emulator's answers to the README's and the demo's inputs read as a real model's would: a
// newcomer's first "I love this" is POSITIVE, Sarah is a person and London a place
// (tests/emulator/plausible.cpp). Still deterministic: the same input, the same answer.
#include "serverless_e2e.hpp"

#include <map>

namespace hfrun::test::serverless {
namespace {

const std::string k_sentiment = "distilbert/distilbert-base-uncased-finetuned-sst-2-english";
const std::string k_ner = "dslim/bert-base-NER";

std::string top_label(const std::string& text) {
  auto r = serverless(k_sentiment, {"--text", text, "--json"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  if (!doc.is_object() || !doc.contains("labels") || !doc["labels"].is_array() ||
      doc["labels"].empty() || !doc["labels"][0].contains("label")) {
    ADD_FAILURE() << "no labels in: " << r.out;
    return "";
  }
  const json& best = doc["labels"][0];
  EXPECT_GE(best.value("score", 0.0), 0.9) << "a confident model: " << r.out;
  return best["label"].get<std::string>();
}

TEST(DemoAnswers, ObviousSentimentIsClassifiedAsAPersonReadsIt) {
  EXPECT_EQ(top_label("I love this"), "POSITIVE");
  EXPECT_EQ(top_label("What a great movie!"), "POSITIVE");
  EXPECT_EQ(top_label("I hate this"), "NEGATIVE");
  EXPECT_EQ(top_label("This is not good at all"), "NEGATIVE");
}

TEST(DemoAnswers, SameInputSameAnswer) {
  auto first = serverless(k_sentiment, {"--text", "I love this", "--json"});
  auto second = serverless(k_sentiment, {"--text", "I love this", "--json"});
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  EXPECT_EQ(first.out, second.out);
}

TEST(DemoAnswers, NamedEntitiesOfTheDemoSentenceHaveTheirRealTypes) {
  auto r = serverless(k_ner, {"--text", "My name is Sarah and I live in London", "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  ASSERT_TRUE(doc.is_object() && doc.contains("entities") && doc["entities"].is_array()) << r.out;
  std::map<std::string, std::string> types;
  for (const auto& e : doc["entities"]) {
    types[e.value("word", "")] = e.value("entity", "");
  }
  EXPECT_EQ(types, (std::map<std::string, std::string>{{"London", "LOC"}, {"Sarah", "PER"}}))
      << r.out;
}

TEST(DemoAnswers, OrganisationsAreTaggedOrg) {
  auto r = serverless(k_ner, {"--text", "She works for Google in Paris", "--json"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const json doc = parse_json(r.out);
  ASSERT_TRUE(doc.is_object() && doc.contains("entities")) << r.out;
  std::map<std::string, std::string> types;
  for (const auto& e : doc["entities"]) {
    types[e.value("word", "")] = e.value("entity", "");
  }
  EXPECT_EQ(types, (std::map<std::string, std::string>{{"Google", "ORG"}, {"Paris", "LOC"}}))
      << r.out;
}

} // namespace
} // namespace hfrun::test::serverless
