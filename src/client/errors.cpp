#include <hfrun/client/errors.hpp>
#include <hfrun/http/server_error.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::client {

namespace {

// The Hub's and the router's meaning of an error status: gated repos, fine-grained token
// permissions, the retired api-inference host, billing. "" keeps the transport's hint.
std::string hf_hint(const Error& e, const http::Response& response) {
  const std::string error_code(util::trim(response.headers.get("X-Error-Code").value_or("")));
  const std::string header_message(
      util::trim(response.headers.get("X-Error-Message").value_or("")));
  const int status = response.status;
  switch (e.kind) {
  case ErrorKind::auth:
    if (error_code == "GatedRepo") {
      return "the model is gated: accept its conditions on its page at huggingface.co, logged in "
             "as the "
             "token's owner, then try again";
    }
    if (status == 401 && error_code == "RepoNotFound" &&
        header_message != "Invalid credentials in Authorization header") {
      return "the repository does not exist, or it is private/gated and needs a token with access";
    }
    if (status == 403) {
      return "the token lacks a permission this call needs (fine-grained tokens need \"Make calls "
             "to "
             "Inference Providers\" for inference); for a gated model, accept its terms on the "
             "model page";
    }
    return "check the token (HF_TOKEN; create one at https://huggingface.co/settings/tokens)";
  case ErrorKind::not_found:
    if (error_code == "RevisionNotFound") {
      return "the revision (branch, tag or commit) does not exist in this repository: check the "
             "revision; the repo's branches and tags are listed on its page (Files and versions)";
    }
    if (status == 410) {
      return "this API was retired: the legacy api-inference.huggingface.co is replaced by the "
             "router "
             "https://router.huggingface.co (hfrun's default; check HFRUN_ROUTER_URL)";
    }
    return {};
  case ErrorKind::rate_limited:
    if (status == 402) {
      return "billing: add credits or enable pay-as-you-go at "
             "https://huggingface.co/settings/billing";
    }
    return {};
  case ErrorKind::rejected:
    if (status == 413) {
      return "the request is too large for this server (TGI and TEI accept 2 MB by default); send "
             "a "
             "smaller input";
    }
    return {};
  case ErrorKind::unavailable:
    if (status == 503) {
      return "the model or endpoint is not ready (loading, scaled to zero, paused or overloaded); "
             "try "
             "again in a while";
    }
    return {};
  case ErrorKind::internal:
  case ErrorKind::usage:
  case ErrorKind::network:
  case ErrorKind::bad_response:
  case ErrorKind::batch_failed:
  case ErrorKind::output_failed:
  case ErrorKind::interrupted:
  case ErrorKind::terminated:
  case ErrorKind::stopped:
    return {};
  }
  return {};
}

} // namespace

Error error_from_response(const http::Response& response, std::string what) {
  Error e = http::error_from_response(response, std::move(what));
  if (std::string hint = hf_hint(e, response); !hint.empty()) {
    e.hint = std::move(hint);
  }
  return e;
}

} // namespace hfrun::client
