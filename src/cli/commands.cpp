#include "command.hpp"

#include <array>

namespace hfrun::cli {

std::span<const CommandEntry> command_table() {
  static const std::array<CommandEntry, 3> k_commands{{
      {"probe", "Which ways each model can run (providers, endpoints, Spaces, local apps), with the "
                "command for each",
       "hfrun probe meta-llama/Llama-3.1-8B-Instruct\n  hfrun probe --json ggml-org/gemma-3-1b-it-GGUF "
       "sentence-transformers/all-MiniLM-L6-v2",
       &make_probe_command},
      {"serverless", "Run a model on Inference Providers (hf-inference tasks, chat, other providers)",
       "hfrun serverless google/vit-base-patch16-224 --file cat.png\n"
       "  hfrun serverless meta-llama/Llama-3.1-8B-Instruct --text \"Hello\" max_tokens:=64\n"
       "  hfrun serverless black-forest-labs/FLUX.1-dev --text \"a cat\" --provider fal-ai -o cat.jpg",
       &make_serverless_command},
      {"whoami", "Which account the token belongs to (checks the token)",
       "hfrun whoami\n  HF_TOKEN=... hfrun whoami --json", &make_whoami_command},
  }};
  return k_commands;
}

} // namespace hfrun::cli
