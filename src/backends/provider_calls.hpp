// PRIVATE to the backends layer: the pure parts of calling a third-party provider, one function per
// step so that every row of the provider table (providers.hpp) is tested without a network:
// the body a row sends, where a queued job is polled, what its status says, and where the result
// is in the final document.
#pragma once

#include "providers.hpp"

#include <hfrun/error.hpp>
#include <hfrun/tasks/task.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace hfrun::backends {

// A provider's request body, whole in memory: uploaded media travel inside it as data: URLs (or as
// one multipart part), so the file is read (at most k_max_inline_upload bytes).
struct ProviderBody {
  std::string content_type;
  std::string bytes;
  std::vector<std::pair<std::string, std::string>> headers; // Prefer: wait, ...
};

inline constexpr std::size_t k_max_inline_upload = 64u << 20;

// The body of rows whose body is not the task codec's (every style but chat, completions and
// embeddings). `boundary` is the multipart boundary (transcription rows). Missing input is
// ErrorKind::usage naming the option.
[[nodiscard]] Result<ProviderBody> provider_body(const ProviderTask& row,
                                                 const std::string& provider_id,
                                                 const tasks::Inputs& inputs,
                                                 const std::string& boundary = "hfrun-boundary");

// Headers every request of that provider carries (zai-org's channel headers, replicate's wait).
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
provider_headers(const ProviderTask& row);

// "data:<type>;base64,<...>" of a file's bytes, the type sniffed, else `fallback_type`.
[[nodiscard]] std::string data_url(std::string_view bytes, std::string_view fallback_type);

// A queued job after the first reply: where to poll its status, and where its result is once
// done ("" = the status document is the result). Empty status_url: the first reply is final.
struct JobUrls {
  std::string status_url;
  std::string result_url;
};
[[nodiscard]] Result<JobUrls> job_urls(const ProviderTask& row,
                                       const std::string& router,
                                       const std::string& request_url,
                                       const nlohmann::json& first_reply);

enum class JobState { pending, done, failed };
struct JobStatus {
  JobState state = JobState::pending;
  std::string label;   // the provider's own word ("IN_QUEUE", "processing"), for progress
  std::string message; // failed: the provider's reason
};
[[nodiscard]] JobStatus job_status(const ProviderTask& row, const nlohmann::json& document);

// The final document rewritten into a shape the task codec reads: {"output": url | [urls]} for
// media, {"text": ...} for transcripts. ResultShape::codec returns it untouched; fal_mask is
// resolved by the backend (it fetches the mask) from mask_url().
[[nodiscard]] Result<nlohmann::json> result_document(const ProviderTask& row,
                                                     const nlohmann::json& final_document);
// fal-ai segmentation: the mask's URL in {"image": {"url"}} ("" when absent).
[[nodiscard]] std::string mask_url(const nlohmann::json& final_document);

} // namespace hfrun::backends
