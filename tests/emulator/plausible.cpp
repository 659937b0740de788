#include "plausible.hpp"

#include "router_util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace emulator::router::plausible {

namespace {

constexpr std::array<std::string_view, 30> k_positive = {
    "love",      "loved",     "lovely",   "like",      "liked",      "great",
    "good",      "excellent", "happy",    "amazing",   "awesome",    "best",
    "wonderful", "fantastic", "nice",     "enjoy",     "enjoyed",    "perfect",
    "beautiful", "brilliant", "fun",      "glad",      "superb",     "delightful",
    "recommend", "pleased",   "favorite", "favourite", "incredible", "thanks"};
constexpr std::array<std::string_view, 26> k_negative = {
    "hate",   "hated",    "bad",    "terrible",      "awful",        "worst", "horrible",
    "sad",    "poor",     "boring", "disappointing", "disappointed", "ugly",  "broken",
    "angry",  "annoying", "waste",  "useless",       "dislike",      "wrong", "fail",
    "failed", "slow",     "rude",   "mediocre",      "painful"};
constexpr std::array<std::string_view, 32> k_places = {
    "london", "paris",  "berlin",  "rome",     "madrid",  "tokyo",   "beijing", "new york",
    "moscow", "sydney", "toronto", "boston",   "chicago", "seattle", "dublin",  "amsterdam",
    "vienna", "lisbon", "prague",  "brussels", "france",  "germany", "england", "spain",
    "italy",  "japan",  "china",   "india",    "canada",  "europe",  "america", "california"};
constexpr std::array<std::string_view, 12> k_org_suffixes = {
    "inc",     "corp", "ltd",       "llc",        "gmbh",  "university",
    "company", "bank", "institute", "foundation", "group", "labs"};
constexpr std::array<std::string_view, 10> k_orgs = {
    "google", "microsoft",    "apple", "amazon", "meta",
    "openai", "hugging face", "ibm",   "nasa",   "un"};
constexpr std::array<std::string_view, 6> k_before_place = {"in", "at",   "from",
                                                            "to", "near", "visit"};
constexpr std::array<std::string_view, 6> k_before_person = {"is",  "named", "mr",
                                                             "mrs", "ms",    "dr"};
constexpr std::array<std::string_view, 2> k_before_org = {"for", "joined"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '\'') {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty())
    words.push_back(std::move(word));
  return words;
}

} // namespace

std::optional<Sentiment> sentiment_of(std::string_view text) {
  int score = 0;
  bool negate = false;
  for (const auto& word : words_of(text)) {
    if (word == "not" || word == "never" || word == "no" ||
        (word.size() > 3 && word.ends_with("n't"))) {
      negate = true;
      continue;
    }
    int value = contains(k_positive, word) ? 1 : contains(k_negative, word) ? -1 : 0;
    if (value != 0) {
      score += negate ? -value : value;
      negate = false;
    }
  }
  if (score == 0)
    return std::nullopt;
  return score > 0 ? Sentiment::positive : Sentiment::negative;
}

bool label_means(std::string_view label, Sentiment sentiment) {
  const std::string l = router::to_lower(label);
  switch (sentiment) {
  case Sentiment::positive:
    return l.find("pos") != std::string::npos;
  case Sentiment::negative:
    return l.find("neg") != std::string::npos;
  }
  return false;
}

std::optional<std::string> entity_group_of(std::string_view run, std::string_view previous_word) {
  const std::string name = router::to_lower(run);
  const std::string before = router::to_lower(previous_word);
  if (contains(k_places, name))
    return "LOC";
  if (contains(k_orgs, name))
    return "ORG";
  const auto last_space = name.rfind(' ');
  const std::string last = last_space == std::string::npos ? name : name.substr(last_space + 1);
  if (last_space != std::string::npos && contains(k_org_suffixes, last))
    return "ORG";
  if (contains(k_before_place, before))
    return "LOC";
  if (contains(k_before_person, before))
    return "PER";
  if (contains(k_before_org, before))
    return "ORG";
  return std::nullopt;
}

} // namespace emulator::router::plausible
