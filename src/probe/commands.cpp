#include <array>
#include <hfrun/probe/commands.hpp>
#include <utility>

namespace hfrun::probe {
namespace {

// Sample inputs per task, in the product's option syntax (product.md "Inputs"). Each is a
// complete, already-quoted tail of a command line.
constexpr std::array<std::pair<std::string_view, std::string_view>, 33> k_samples = {{
    {"conversational", R"(--text "Hello")"},
    {"text-generation", R"(--text "Once upon a time")"},
    {"text2text-generation", R"(--text "Translate to German: How old are you?")"},
    {"summarization",
     R"(--text "The tower is 324 metres tall, about the same height as an 81-storey building, and the tallest structure in Paris.")"},
    {"translation", R"(--text "Hello, how are you?")"},
    {"text-classification", R"(--text "I like you. I love you")"},
    {"token-classification", R"(--text "My name is Sarah and I live in London")"},
    {"fill-mask", R"(--text "The goal of life is [MASK].")"},
    {"feature-extraction", R"(--text "Today is a sunny day")"},
    {"sentence-similarity",
     R"(source_sentence="That is a happy person" sentences:='["That is a happy dog", "Today is a sunny day"]')"},
    {"text-ranking",
     R"(query="What is deep learning?" texts:='["Deep learning is a kind of machine learning.", "Paris is in France."]')"},
    {"zero-shot-classification",
     R"(--text "I have a problem with my iphone that needs to be resolved asap!" candidate_labels:='["urgent", "not urgent"]')"},
    {"question-answering",
     R"(question="Where do I live?" context="My name is Sarah and I live in London")"},
    {"table-question-answering",
     R"(query="How many stars does the transformers repository have?" table=@table.json)"},
    {"text-to-image", R"(--text "An astronaut riding a horse on the moon" -o image.png)"},
    {"text-to-speech", R"(--text "Hello, how are you?" -o speech.wav)"},
    {"text-to-audio", R"(--text "A calm piano melody" -o audio.wav)"},
    {"text-to-video", R"(--text "A young man walking on the street" -o video.mp4)"},
    {"image-classification", R"(--file image.png)"},
    {"object-detection", R"(--file image.png)"},
    {"image-segmentation", R"(--file image.png)"},
    {"image-to-text", R"(--file image.png)"},
    {"depth-estimation", R"(--file image.png -o depth.png)"},
    {"zero-shot-image-classification", R"(--file image.png candidate_labels:='["cat", "dog"]')"},
    {"zero-shot-object-detection", R"(--file image.png candidate_labels:='["cat", "dog"]')"},
    {"image-to-image", R"(--file image.png prompt="Turn it into a watercolour" -o out.png)"},
    {"image-text-to-text", R"(--file image.png --text "Describe this image")"},
    {"visual-question-answering", R"(--file image.png question="What is in the picture?")"},
    {"document-question-answering", R"(--file document.png question="What is the invoice total?")"},
    {"automatic-speech-recognition", R"(--file audio.wav)"},
    {"audio-classification", R"(--file audio.wav)"},
    {"audio-to-audio", R"(--file audio.wav -o out.wav)"},
    {"image-to-video", R"(--file image.png -o video.mp4)"},
}};

} // namespace

std::string sample_input(std::string_view task) {
  for (const auto& [name, sample] : k_samples) {
    if (name == task) {
      return std::string(sample);
    }
  }
  return R"(--text "Hello")";
}

std::string endpoint_name_for(std::string_view model) {
  std::size_t slash = model.rfind('/');
  std::string_view name = slash == std::string_view::npos ? model : model.substr(slash + 1);
  std::string out;
  bool dash_pending = false;
  for (char c : name) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
      alnum = true;
    }
    if (!alnum) {
      dash_pending = !out.empty();
      continue;
    }
    if (dash_pending) {
      out += '-';
      dash_pending = false;
    }
    out += c;
  }
  if (out.size() > 32) {
    out.resize(32);
  }
  while (!out.empty() && out.back() == '-') {
    out.pop_back();
  }
  return out.empty() ? std::string("my-endpoint") : out;
}

} // namespace hfrun::probe
