#pragma once

// Deterministic answers that look right to a person for inputs with obvious words ("I love this",
// "My name is Sarah and I live in London"), so the demo and a newcomer's first tries read as a real
// model's would. Inputs without such words keep the emulator's seeded answers.

#include <optional>
#include <string>
#include <string_view>

namespace emulator::router::plausible {

enum class Sentiment { positive, negative };

// The sentiment of a text from a small word list, counting "not"/"n't" as a flip of the next word;
// nullopt when the words are balanced or none is known.
std::optional<Sentiment> sentiment_of(std::string_view text);

// Whether a classifier label names this sentiment ("POSITIVE", "positive", "LABEL_POS", "neg"...).
bool label_means(std::string_view label, Sentiment sentiment);

// The entity group of a capitalised run of words ("London", "Sarah", "Acme Corp"), given the word
// before it ("in", "is", "named"...); nullopt when neither the run nor its context tells.
std::optional<std::string> entity_group_of(std::string_view run, std::string_view previous_word);

} // namespace emulator::router::plausible
