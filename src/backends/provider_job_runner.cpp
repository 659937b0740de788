#include "provider_job_runner.hpp"

#include "provider_calls.hpp"

#include <hfrun/client/errors.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/util/base64.hpp>
#include <hfrun/util/clock.hpp>
#include <hfrun/util/json.hpp>

namespace hfrun::backends {

namespace {

using json = nlohmann::json;

std::string what_of(const ProviderTask& row) {
  return std::string(tasks::task(row.task).name) + " request on " + std::string(row.provider);
}

// One GET through the router (the token goes along: the router bills the job to it), with the
// provider's own headers, as the official clients poll with the request's headers.
Result<http::Response>
get(client::Client& client, const ProviderTask& row, const std::string& url, std::string what) {
  http::Request request;
  request.url = url;
  for (const auto& [name, value] : provider_headers(row)) {
    request.headers.set(name, value);
  }
  HFRUN_TRY_ASSIGN(response, client.send(request));
  if (!response.ok()) {
    return unexpected<Error>(client::error_from_response(response, std::move(what)));
  }
  return response;
}

Result<json> parse(const ProviderTask& row, const http::Response& response) {
  json doc = util::parse_untrusted(response.body);
  if (doc.is_discarded() || !doc.is_object()) {
    Error e = make_error(ErrorKind::bad_response, std::string(row.provider) + " answered the " +
                                                      std::string(tasks::task(row.task).name) +
                                                      " job with something other than a JSON "
                                                      "object: " +
                                                      tasks::snippet(response.body));
    e.request_id = http::request_id(response.headers);
    return unexpected(std::move(e));
  }
  return doc;
}

Error job_failed(const ProviderTask& row, const JobStatus& status) {
  return make_error(ErrorKind::rejected,
                    std::string(row.provider) + "'s " + std::string(tasks::task(row.task).name) +
                        " job ended with status " +
                        (status.label.empty() ? std::string("(none)") : status.label) +
                        (status.message.empty() ? "" : ": " + status.message),
                    "check the parameters; `hfrun -v` shows each poll");
}

// Polls the job until it ends, saying on stderr what the provider reports when it changes.
Result<json>
follow(client::Client& client, const ProviderTask& row, const JobUrls& urls, json doc) {
  util::PollSchedule schedule(client.sleeper(), k_job_timeout);
  std::string last_label;
  for (;;) {
    const JobStatus status = job_status(row, doc);
    if (status.state == JobState::done) {
      break;
    }
    if (status.state == JobState::failed) {
      return unexpected(job_failed(row, status));
    }
    if (status.label != last_label) {
      client.note(std::string(row.provider) + ": " + std::string(tasks::task(row.task).name) +
                  " job " + (status.label.empty() ? std::string("pending") : status.label) +
                  " after " + std::to_string(schedule.waited().count() / 1000) +
                  " s; waiting (up to " + std::to_string(k_job_timeout.count()) + " min)");
      last_label = status.label;
    }
    if (schedule.expired()) {
      return fail(ErrorKind::unavailable,
                  std::string(row.provider) + "'s " + std::string(tasks::task(row.task).name) +
                      " job did not finish within " + std::to_string(k_job_timeout.count()) +
                      " minutes (last status: " + status.label + ")",
                  "try again later; the provider may be busy");
    }
    schedule.wait();
    HFRUN_TRY_ASSIGN(polled, get(client, row, urls.status_url, "polling the " + what_of(row)));
    HFRUN_TRY_ASSIGN(next, parse(row, polled));
    doc = std::move(next);
  }
  if (!urls.result_url.empty()) {
    HFRUN_TRY_ASSIGN(
        result, get(client, row, urls.result_url, "fetching the result of the " + what_of(row)));
    HFRUN_TRY_ASSIGN(final_doc, parse(row, result));
    return final_doc;
  }
  return doc;
}

// fal-ai segmentation: one mask image (a data: URL with sync_mode, else a CDN URL fetched without
// the token), as the task's [{label, mask}] (huggingface_hub fal_ai.py labels it "mask").
Result<json> fal_mask_segments(client::Client& client, const json& doc) {
  const std::string url = mask_url(doc);
  if (url.empty()) {
    return fail(ErrorKind::bad_response, "fal-ai's image-segmentation result has no image.url");
  }
  std::string mask;
  if (url.starts_with("data:")) {
    const auto comma = url.find(',');
    if (comma == std::string::npos) {
      return fail(ErrorKind::bad_response, "fal-ai's mask is a malformed data: URL");
    }
    mask = url.substr(comma + 1);
  } else {
    http::Request fetch;
    fetch.url = url;
    HFRUN_TRY_ASSIGN(fetched, client.send(fetch, client::Auth::never));
    if (!fetched.ok()) {
      return unexpected<Error>(client::error_from_response(fetched, "downloading the mask"));
    }
    mask = util::base64_encode(fetched.body);
  }
  return json::array({json{{"label", "mask"}, {"mask", mask}}});
}

} // namespace

Result<Outcome> run_provider_job(client::Client& client,
                                 const Plan& plan,
                                 const ProviderTask& row,
                                 http::Request& request,
                                 const ExecuteOptions& options) {
  HFRUN_TRY_ASSIGN(response, client.send(request));
  if (!response.ok()) {
    return unexpected<Error>(client::error_from_response(response, what_of(row)));
  }
  HFRUN_TRY_ASSIGN(first, parse(row, response));
  HFRUN_TRY_ASSIGN(urls, job_urls(row, client.config().router_url, request.url, first));
  json doc = std::move(first);
  if (!urls.status_url.empty()) {
    HFRUN_TRY_ASSIGN(done, follow(client, row, urls, std::move(doc)));
    doc = std::move(done);
  } else if (const JobStatus status = job_status(row, doc); status.state == JobState::failed) {
    return unexpected(job_failed(row, status));
  }

  Outcome outcome;
  outcome.status = response.status;
  outcome.request_id = http::request_id(response.headers);
  if (options.raw) {
    outcome.kind = Outcome::Kind::raw; // the final document, as the provider wrote it
    outcome.content_type = "application/json";
    outcome.raw_body = doc.dump();
    return outcome;
  }
  HFRUN_TRY_ASSIGN(final_doc, result_document(row, doc));
  if (row.result == ResultShape::fal_mask) {
    HFRUN_TRY_ASSIGN(segments, fal_mask_segments(client, final_doc));
    final_doc = std::move(segments);
  }
  const tasks::TaskSpec& task = *plan.task;
  const std::string body = final_doc.dump();
  if (task.binary_output) {
    HFRUN_TRY_ASSIGN(files, tasks::binary_result(task, "application/json", body));
    outcome.kind = Outcome::Kind::files;
    outcome.files = std::move(files);
    HFRUN_TRY(fetch_result_urls(client, outcome));
    return outcome;
  }
  HFRUN_TRY_ASSIGN(normalized, tasks::decode(task, "application/json", body));
  outcome.kind = Outcome::Kind::json;
  outcome.normalized = std::move(normalized);
  return outcome;
}

} // namespace hfrun::backends
