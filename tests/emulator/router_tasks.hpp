// The hf-inference task pipelines of the emulator: each takes a request already routed to a model
// and answers in the shape the real service uses (serverless.md §2.2), with results that are
// deterministic functions of the input (labels and scores from a hash of the bytes, images and
// audio generated as valid files).
#pragma once

#include "router_util.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace emulator::router {

struct TaskRequest {
  std::string task; // the pipeline the model serves (or the one named by /pipeline/{task})
  std::string model_id;
  const nlohmann::json* model; // the world's model (never null here)
  std::string body;            // raw request body
  std::string content_type;    // request Content-Type ("" when absent)
};

// Answers one hf-inference task call (not chat/completions/text-generation: see router_chat.hpp).
[[nodiscard]] Reply run_task(const TaskRequest& request);

// Deterministic unit-length embedding of a text (bag of words, so shared words mean similar
// vectors).
[[nodiscard]] std::vector<double> embed_text(std::string_view text, std::size_t dimensions);

} // namespace emulator::router
