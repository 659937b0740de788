// Queued provider jobs (providers.hpp ReplyStyle): where each provider's job is polled through the
// router, what its status words mean, and where the result is once it is done, as
// huggingface_hub's fal_ai.py, replicate.py, together.py, wavespeed.py and zai_org.py read them.
// Pure: the backend (serverless.cpp) sends the requests and waits between them.
#include "provider_calls.hpp"

#include <hfrun/util/json.hpp>

namespace hfrun::backends {

namespace {

using json = nlohmann::json;

// The path (and query) of an absolute URL: "https://queue.fal.run/a/b?x" -> "/a/b?x". A provider
// names its own host; through the router the same path lives under {router}/{provider}.
std::string path_of(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return std::string(url.starts_with('/') ? url : std::string_view{});
  }
  const auto slash = url.find('/', scheme + 3);
  return slash == std::string_view::npos ? std::string("/") : std::string(url.substr(slash));
}

std::string strip_query(std::string path) {
  if (const auto q = path.find('?'); q != std::string::npos) {
    path.resize(q);
  }
  return path;
}

Error no_job(const ProviderTask& row, std::string_view what) {
  return make_error(ErrorKind::bad_response, std::string(row.provider) + " answered without " +
                                                 std::string(what) + ": cannot follow the queued " +
                                                 std::string(tasks::task(row.task).name) + " job");
}

std::string
under_router(const std::string& router, const ProviderTask& row, const std::string& path) {
  return router + "/" + std::string(row.provider) + path;
}

bool is_one_of(const std::string& word, std::initializer_list<std::string_view> words) {
  for (const auto w : words) {
    if (word == w) {
      return true;
    }
  }
  return false;
}

std::string error_text(const json& doc, std::string_view key) {
  const json* error = util::json_member(doc, key);
  if (error == nullptr || error->is_null()) {
    return {};
  }
  if (const auto text = util::as_string(*error)) {
    return *text;
  }
  if (const auto message = util::json_string(*error, "message")) {
    return *message;
  }
  return error->dump();
}

} // namespace

Result<JobUrls> job_urls(const ProviderTask& row,
                         const std::string& router,
                         const std::string& request_url,
                         const json& first) {
  switch (row.reply) {
  case ReplyStyle::direct:
    return JobUrls{};
  case ReplyStyle::fal_queue: {
    // {"request_id", "response_url": "https://queue.fal.run/{model}/requests/{id}", ...}: the
    // status and the result are that path under the router, with the queue subdomain kept.
    const std::string response_url = util::string_or(first, "response_url", "");
    if (util::string_or(first, "request_id", "").empty() || response_url.empty()) {
      return unexpected(no_job(row, "a request_id and response_url"));
    }
    const std::string path = strip_query(path_of(response_url));
    return JobUrls{under_router(router, row, path + "/status?_subdomain=queue"),
                   under_router(router, row, path + "?_subdomain=queue")};
  }
  case ReplyStyle::replicate: {
    // A prediction still running after `Prefer: wait`: poll urls.get.
    if (job_status(row, first).state != JobState::pending) {
      return JobUrls{};
    }
    const json* urls = util::json_object(first, "urls");
    const std::string get = urls != nullptr ? util::string_or(*urls, "get", "") : "";
    if (get.empty()) {
      return unexpected(no_job(row, "urls.get"));
    }
    return JobUrls{under_router(router, row, path_of(get)), ""};
  }
  case ReplyStyle::together_job: {
    const std::string id = util::string_or(first, "id", "");
    if (id.empty()) {
      return unexpected(no_job(row, "a job id"));
    }
    if (job_status(row, first).state != JobState::pending) {
      return JobUrls{};
    }
    return JobUrls{strip_query(request_url) + "/" + id, ""};
  }
  case ReplyStyle::wavespeed: {
    const json* data = util::json_object(first, "data");
    const json* urls = data != nullptr ? util::json_object(*data, "urls") : nullptr;
    const std::string get = urls != nullptr ? util::string_or(*urls, "get", "") : "";
    if (get.empty()) {
      return unexpected(no_job(row, "data.urls.get"));
    }
    return JobUrls{under_router(router, row, path_of(get)), ""};
  }
  case ReplyStyle::zai_job: {
    const std::string id = util::string_or(first, "id", "");
    if (id.empty()) {
      return unexpected(no_job(row, "a task id"));
    }
    if (job_status(row, first).state != JobState::pending) {
      return JobUrls{};
    }
    return JobUrls{under_router(router, row, "/api/paas/v4/async-result/" + id), ""};
  }
  }
  return JobUrls{};
}

JobStatus job_status(const ProviderTask& row, const json& doc) {
  JobStatus out;
  switch (row.reply) {
  case ReplyStyle::direct:
    out.state = JobState::done;
    return out;
  case ReplyStyle::fal_queue:
    out.label = util::string_or(doc, "status", "");
    if (out.label == "COMPLETED") {
      out.state = JobState::done;
    } else if (!is_one_of(out.label, {"IN_QUEUE", "IN_PROGRESS"})) {
      out.state = JobState::failed;
      out.message = error_text(doc, "error");
    }
    if (const auto position = util::json_int(doc, "queue_position"); position && *position > 0) {
      out.label += " (position " + std::to_string(*position) + ")";
    }
    return out;
  case ReplyStyle::replicate:
    out.label = util::string_or(doc, "status", "");
    if (out.label == "succeeded") {
      out.state = JobState::done;
    } else if (!is_one_of(out.label, {"starting", "processing"})) {
      out.state = JobState::failed;
      out.message = error_text(doc, "error");
    }
    return out;
  case ReplyStyle::together_job:
    out.label = util::string_or(doc, "status", "queued"); // optional in the spec: still pending
    if (out.label == "completed") {
      out.state = JobState::done;
    } else if (!is_one_of(out.label, {"queued", "in_progress"})) {
      out.state = JobState::failed;
      out.message = error_text(doc, "error");
    }
    return out;
  case ReplyStyle::wavespeed: {
    const json* data = util::json_object(doc, "data");
    out.label = data != nullptr ? util::string_or(*data, "status", "") : "";
    if (out.label == "completed") {
      out.state = JobState::done;
    } else if (!is_one_of(out.label, {"created", "processing"})) {
      out.state = JobState::failed;
      out.message = data != nullptr ? error_text(*data, "error") : "";
    }
    return out;
  }
  case ReplyStyle::zai_job:
    out.label = util::string_or(doc, "task_status", "");
    if (out.label == "SUCCESS") {
      out.state = JobState::done;
    } else if (out.label != "PROCESSING") {
      out.state = JobState::failed;
      out.message = error_text(doc, "error");
    }
    return out;
  }
  return out;
}

Result<json> result_document(const ProviderTask& row, const json& doc) {
  auto missing = [&](std::string_view what) {
    return fail(ErrorKind::bad_response, std::string(row.provider) + "'s " +
                                             std::string(tasks::task(row.task).name) +
                                             " result has no " + std::string(what));
  };
  switch (row.result) {
  case ResultShape::codec:
  case ResultShape::fal_mask:
    return doc;
  case ResultShape::novita_video: {
    const json* video = util::json_object(doc, "video");
    const auto url = video != nullptr ? util::json_string(*video, "video_url") : std::nullopt;
    if (!url) {
      return missing("video.video_url");
    }
    return json{{"output", *url}};
  }
  case ResultShape::together_video: {
    const json* outputs = util::json_object(doc, "outputs");
    const auto url = outputs != nullptr ? util::json_string(*outputs, "video_url") : std::nullopt;
    if (!url) {
      return missing("outputs.video_url");
    }
    return json{{"output", *url}};
  }
  case ResultShape::wavespeed: {
    const json* data = util::json_object(doc, "data");
    const json* outputs = data != nullptr ? util::json_array(*data, "outputs") : nullptr;
    if (outputs == nullptr || outputs->empty()) {
      return missing("data.outputs");
    }
    return json{{"output", *outputs}};
  }
  case ResultShape::zai_images: {
    const json* images = util::json_array(doc, "image_result");
    const auto url = images != nullptr && !images->empty()
                         ? util::json_string(images->front(), "url")
                         : std::nullopt;
    if (!url) {
      return missing("image_result[].url");
    }
    return json{{"output", *url}};
  }
  case ResultShape::replicate_text: {
    const json* output = util::json_member(doc, "output");
    if (output == nullptr || output->is_null()) {
      return missing("output");
    }
    const json* item = output->is_array() && !output->empty() ? &output->front() : output;
    if (const auto text = util::as_string(*item)) {
      return json{{"text", *text}};
    }
    for (const char* key : {"translation", "transcription", "text"}) {
      if (const auto text = util::json_string(*item, key)) {
        return json{{"text", *text}};
      }
    }
    return missing("transcription");
  }
  }
  return doc;
}

std::string mask_url(const json& doc) {
  const json* image = util::json_object(doc, "image");
  return image != nullptr ? util::string_or(*image, "url", "") : "";
}

} // namespace hfrun::backends
