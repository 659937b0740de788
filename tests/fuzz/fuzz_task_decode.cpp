// Every task's decoder and binary-result extractor (src/tasks) on any body, with the Content-Type
// a server could send; and the chat stream assembler on any `data:` payloads.
#include "fuzz_input.hpp"

#include <hfrun/tasks/chat.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/task.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [selector, body] = hfrun::fuzz::selector_and_rest(hfrun::fuzz::as_text(data, size));
  const auto tasks = hfrun::tasks::all_tasks();
  const hfrun::tasks::TaskSpec& spec = tasks[selector % tasks.size()];
  static constexpr const char* k_types[] = {"application/json",         "image/png",  "audio/flac",
                                            "application/octet-stream", "text/plain", ""};
  const char* type = k_types[(selector / tasks.size()) % 6];
  (void)hfrun::tasks::decode(spec, type, body);
  (void)hfrun::tasks::binary_result(spec, type, body);

  hfrun::tasks::ChatStreamAssembler assembler(std::string(spec.name));
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t end = std::min(body.find('\n', start), body.size());
    (void)assembler.feed_data(body.substr(start, end - start));
    start = end + 1;
  }
  (void)assembler.result();
  return 0;
}
