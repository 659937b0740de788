#include "command.hpp"

#include <array>

namespace hfrun::cli {

std::span<const CommandEntry> command_table() {
  static const std::array<CommandEntry, 11> k_commands{{
      {"cache", "What the shared Hugging Face cache holds (ls), and whether it is intact (verify)",
       "hfrun cache ls\n  hfrun cache ls openai-community/gpt2 --json\n"
       "  hfrun cache verify openai-community/gpt2",
       &make_cache_command},
      {"completion",
       "Print the completion script of bash, zsh or fish (commands, options, their values, cached "
       "model ids)",
       "source <(hfrun completion bash)\n"
       "  hfrun completion zsh > \"${fpath[1]}/_hfrun\"\n"
       "  hfrun completion fish > ~/.config/fish/completions/hfrun.fish",
       &make_completion_command},
      {"doctor",
       "One screen for a bug report: build, configuration and token source (never the token), "
       "cache, local runtimes, proxies, and whether the Hub and the router answer",
       "hfrun doctor\n  hfrun doctor --json", &make_doctor_command},
      {"download", "Download a repo's files into the shared Hugging Face cache; prints the path",
       "hfrun download openai-community/gpt2\n"
       "  hfrun download stabilityai/stable-diffusion-xl-base-1.0 --include 'unet/*'\n"
       "  cd \"$(hfrun download openai-community/gpt2 --include '*.json')\"",
       &make_download_command},
      {"endpoint",
       "Run a model on a dedicated Inference Endpoint or any self-hosted server, by URL (the "
       "server's flavour is found by itself)",
       "hfrun endpoint https://xyz.us-east-1.aws.endpoints.huggingface.cloud --text \"Hello\"\n"
       "  hfrun endpoint http://localhost:8080 --text \"Hello\" max_tokens:=64      # TGI, vLLM, "
       "llama.cpp ...\n"
       "  hfrun endpoint http://localhost:8081 --text \"a sentence\" --json          # TEI "
       "embeddings\n"
       "  hfrun endpoint https://my-toolkit-endpoint --task image-classification --file cat.png",
       &make_endpoint_command},
      {"local",
       "Run a model on this machine (transformers.js for ONNX, llama.cpp for GGUF), the same "
       "inputs and outputs as serverless",
       "hfrun local ggml-org/gemma-3-1b-it-GGUF:Q4_K_M --text \"Hello\"\n"
       "  hfrun local Xenova/distilbert-base-uncased-finetuned-sst-2-english --text \"I love it\"\n"
       "  hfrun local serve ggml-org/gemma-3-1b-it-GGUF --port 8080\n"
       "  hfrun local --setup llama.cpp",
       &make_local_command},
      {"manpage", "Print the manual page hfrun(1) in roff",
       "hfrun manpage > hfrun.1 && man -l hfrun.1", &make_manpage_command},
      {"probe",
       "Which ways each model can run (providers, endpoints, Spaces, local apps), with the "
       "command for each",
       "hfrun probe meta-llama/Llama-3.1-8B-Instruct\n  hfrun probe --json "
       "ggml-org/gemma-3-1b-it-GGUF "
       "sentence-transformers/all-MiniLM-L6-v2",
       &make_probe_command},
      {"serverless",
       "Run a model on Inference Providers (hf-inference tasks, chat, other providers)",
       "hfrun serverless google/vit-base-patch16-224 --file cat.png\n"
       "  hfrun serverless meta-llama/Llama-3.1-8B-Instruct --text \"Hello\" max_tokens:=64\n"
       "  hfrun serverless black-forest-labs/FLUX.1-dev --text \"a cat\" --provider fal-ai -o "
       "cat.jpg",
       &make_serverless_command},
      {"space", "Call a Gradio Space or any Gradio app (OWNER/NAME or URL); --list shows its API",
       "hfrun space hysts/SDXL --list\n"
       "  hfrun space hysts/SDXL prompt=\"a cat\" --output-dir out/\n"
       "  hfrun space http://127.0.0.1:7860 --api /predict image=@cat.png --json",
       &make_space_command},
      {"whoami", "Which account the token belongs to (checks the token)",
       "hfrun whoami\n  HF_TOKEN=... hfrun whoami --json", &make_whoami_command},
  }};
  return k_commands;
}

} // namespace hfrun::cli
