// The endpoint flavour probes' answers (src/backends/flavor.cpp): how TGI, TEI, vLLM, SGLang,
// llama.cpp, Ollama, transformers serve and other OpenAI-compatible servers are told apart from
// GET /info, /props, /v1/models, /api/version and /health. Input: a selector byte (one bit per
// probe: answered 200, or an error status), then the five bodies separated by 0x1E. Checked: the
// flavour's name reads back as that flavour, and answers that are all errors mean the toolkit.
#include "backends/flavor.hpp"
#include "fuzz_input.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace backends = hfrun::backends;
  const auto [selector, rest] = hfrun::fuzz::selector_and_rest(hfrun::fuzz::as_text(data, size));
  const auto bodies = hfrun::fuzz::split_records(rest, 5);
  static constexpr int k_errors[] = {404, 0, 500, 401};
  const int error_status = k_errors[(selector >> 5) % 4];
  backends::ProbeAnswers answers;
  backends::ProbeAnswer* probes[] = {&answers.info, &answers.props, &answers.models,
                                     &answers.ollama, &answers.health};
  for (std::size_t i = 0; i < 5; ++i) {
    probes[i]->status = (selector >> i) & 1 ? error_status : 200;
    probes[i]->content_type = "application/json";
    probes[i]->body = std::string(bodies[i]);
  }
  const backends::FlavorInfo found = backends::classify(answers);
  if (backends::parse_flavor(backends::flavor_name(found.flavor)) != found.flavor) {
    std::abort();
  }
  if ((selector & 0x1f) == 0x1f && found.flavor != backends::Flavor::toolkit) {
    std::abort(); // no probe answered, yet a flavour was read from the bodies
  }
  if (found.why.empty()) {
    std::abort();
  }
  (void)backends::parse_flavor(bodies[0]);
  return 0;
}
