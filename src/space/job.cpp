#include <hfrun/space/job.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>

namespace hfrun::space {

namespace {

using nlohmann::json;

Result<void> bad_diff(const std::string& why) {
  return fail(ErrorKind::bad_response, "the app sent an update that cannot be applied: " + why);
}

// The container a path step leads to, or nullptr.
json* step_into(json& at, const json& key) {
  if (at.is_array()) {
    if (auto index = util::as_int(key);
        index && *index >= 0 && static_cast<std::size_t>(*index) < at.size()) {
      return &at[static_cast<std::size_t>(*index)];
    }
    return nullptr;
  }
  if (at.is_object()) {
    if (auto name = util::as_string(key)) {
      const auto it = at.find(*name);
      return it == at.end() ? nullptr : &*it;
    }
  }
  return nullptr;
}

Result<void> append(json& target, const json& value) {
  if (target.is_string() && value.is_string()) {
    target = target.get_ref<const std::string&>() +
             value.get_ref<const std::string&>(); // json: trusted (types checked)
    return {};
  }
  if (target.is_array() && value.is_array()) {
    for (const auto& v : value) {
      target.push_back(v);
    }
    return {};
  }
  if (target.is_null()) {
    target = value;
    return {};
  }
  return bad_diff("append to a " + std::string(target.type_name()));
}

Result<void>
apply_edit(json& root, const std::string& action, const json& path, const json& value) {
  if (!path.is_array()) {
    return bad_diff("a path that is not a list");
  }
  if (path.empty()) {
    if (action == "replace") {
      root = value;
      return {};
    }
    if (action == "append") {
      return append(root, value);
    }
    return bad_diff(action + " of the whole value");
  }
  json* parent = &root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    parent = step_into(*parent, path[i]);
    if (parent == nullptr) {
      return bad_diff("a path that does not exist");
    }
  }
  const json& last = path[path.size() - 1];
  if (action == "replace" || action == "append") {
    json* target = step_into(*parent, last);
    if (target == nullptr && action == "replace" && parent->is_object() && last.is_string()) {
      (*parent)[last.get_ref<const std::string&>()] = value; // json: trusted (is_string checked)
      return {};
    }
    if (target == nullptr) {
      return bad_diff("a path that does not exist");
    }
    if (action == "replace") {
      *target = value;
      return {};
    }
    return append(*target, value);
  }
  if (action == "add") {
    if (parent->is_array()) {
      const auto index = util::as_int(last);
      if (!index || *index < 0 || static_cast<std::size_t>(*index) > parent->size()) {
        return bad_diff("an index out of range");
      }
      parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(*index), value);
      return {};
    }
    if (parent->is_object() && last.is_string()) {
      (*parent)[last.get_ref<const std::string&>()] = value; // json: trusted (is_string checked)
      return {};
    }
    return bad_diff("add into a " + std::string(parent->type_name()));
  }
  if (action == "delete") {
    if (parent->is_array()) {
      const auto index = util::as_int(last);
      if (!index || *index < 0 || static_cast<std::size_t>(*index) >= parent->size()) {
        return bad_diff("an index out of range");
      }
      parent->erase(static_cast<std::size_t>(*index));
      return {};
    }
    if (parent->is_object() && last.is_string()) {
      parent->erase(last.get_ref<const std::string&>()); // json: trusted (is_string checked)
      return {};
    }
    return bad_diff("delete from a " + std::string(parent->type_name()));
  }
  return bad_diff("the unknown action '" + action + "'");
}

bool is_zerogpu_quota(std::string_view text) {
  return (util::contains_icase(text, "exceeded your") && util::contains_icase(text, "quota")) ||
         util::contains_icase(text, "No GPU was available") ||
         util::contains_icase(text, "No GPU is currently available") ||
         util::contains_icase(text, "zerogpu quota");
}

void read_status(const json& message, JobStatus& status) {
  if (auto rank = util::json_int(message, "rank")) {
    status.rank = rank;
  }
  if (auto size = util::json_int(message, "queue_size")) {
    status.queue_size = size;
  }
  if (auto eta = util::json_number(message, "rank_eta")) {
    status.eta_s = eta;
  } else if (auto eta2 = util::json_number(message, "eta")) {
    status.eta_s = eta2;
  }
}

} // namespace

Result<void> apply_diff(json& value, const json& diff) {
  if (!diff.is_array()) {
    return bad_diff("a diff that is not a list of edits");
  }
  for (const auto& edit : diff) {
    if (!edit.is_array() || edit.size() != 3 || !edit[0].is_string()) {
      return bad_diff("an edit that is not [action, path, value]");
    }
    HFRUN_TRY(apply_edit(value, edit[0].get_ref<const std::string&>(), edit[1],
                         edit[2])); // json: trusted (is_string checked)
  }
  return {};
}

Error app_error(const json& output, const std::string& title) {
  const json* error = util::json_member(output, "error");
  const auto text = error != nullptr ? util::as_string(*error) : std::nullopt;
  if (!text || text->empty()) {
    Error e = make_error(ErrorKind::rejected, "the app raised an error and shows no details");
    e.hint = "the app runs with show_error=False, so its message stays on the server; check the "
             "inputs against `--list`, or ask the Space's owner";
    return e;
  }
  Error e;
  e.server_message = *text;
  if (is_zerogpu_quota(*text)) {
    e.kind = ErrorKind::rate_limited;
    e.message = "the Space's ZeroGPU quota is used up";
    e.hint = "pass your Hugging Face token (--token or HF_TOKEN) so the quota of your account "
             "applies, wait for it to refill, or duplicate the Space";
    return e;
  }
  e.kind = ErrorKind::rejected;
  e.message = "the app reported an error" +
              (title.empty() || title == "Error" ? std::string() : " (" + title + ")");
  return e;
}

Result<Job::Step> Job::on_message(const json& message, JobWatcher& watcher) {
  const std::string msg = util::string_or(message, "msg", "");
  if (msg == "close_stream") {
    return Step::stream_closed;
  }
  if (msg == "heartbeat") {
    return Step::more;
  }
  if (msg == "unexpected_error") {
    Error e = make_error(ErrorKind::unavailable, "the app's queue failed");
    e.server_message = util::string_or(message, "message", "");
    e.hint = util::bool_or(message, "session_not_found", false)
                 ? "the app lost this session (a restart, or replicas without stickiness); run "
                   "the command again"
                 : "the app may have restarted; run the command again";
    return unexpected<Error>(std::move(e));
  }
  // A message for another event of the session (or none at all) is not this job's.
  const auto event = util::json_string(message, "event_id");
  if (!m_event_id.empty() && event && *event != m_event_id) {
    return Step::more;
  }
  if (msg == "estimation") {
    // Gradio estimates only jobs still waiting: the job is (back) in the queue.
    m_status.started = false;
    m_status.progress.clear();
    read_status(message, m_status);
    watcher.on_status(m_status);
  } else if (msg == "process_starts") {
    m_status.started = true;
    m_status.rank.reset();
    if (auto eta = util::json_number(message, "eta")) {
      m_status.eta_s = eta;
    }
    watcher.on_status(m_status);
  } else if (msg == "progress") {
    m_status.started = true;
    m_status.progress.clear();
    if (const json* steps = util::json_array(message, "progress_data")) {
      for (const auto& s : *steps) {
        ProgressStep step;
        step.index = util::json_int(s, "index");
        step.length = util::json_int(s, "length");
        step.fraction = util::json_number(s, "progress");
        step.unit = util::string_or(s, "unit", "");
        step.desc = util::string_or(s, "desc", "");
        m_status.progress.push_back(std::move(step));
      }
    }
    watcher.on_status(m_status);
  } else if (msg == "log") {
    watcher.on_log(util::string_or(message, "level", "info"), util::string_or(message, "log", ""));
  } else if (msg == "process_generating" || msg == "process_streaming") {
    const json* output = util::json_object(message, "output");
    const json* data = output != nullptr ? util::json_array(*output, "data") : nullptr;
    if (data == nullptr) {
      return fail(ErrorKind::bad_response, "the app sent an update without output data");
    }
    if (m_updates == 0 || !m_diffs) {
      m_data = *data;
    } else {
      if (data->size() != m_data.size()) {
        return fail(ErrorKind::bad_response,
                    "the app sent an update for " + std::to_string(data->size()) +
                        " outputs after one for " + std::to_string(m_data.size()));
      }
      for (std::size_t i = 0; i < data->size(); ++i) {
        HFRUN_TRY(apply_diff(m_data[i], (*data)[i]));
      }
    }
    ++m_updates;
    HFRUN_TRY(watcher.on_update(m_data));
  } else if (msg == "process_completed") {
    m_final = message;
    const json* output = util::json_member(message, "output");
    const json empty = json::object();
    const json& out = output != nullptr ? *output : empty;
    if (!util::bool_or(message, "success", true)) {
      return unexpected<Error>(app_error(out, util::string_or(message, "title", "")));
    }
    if (const json* data = util::json_array(out, "data")) {
      m_data = *data;
    } else if (util::json_member(out, "error") != nullptr) {
      return unexpected<Error>(app_error(out, util::string_or(message, "title", "")));
    }
    m_completed = true;
    return Step::completed;
  }
  // Other messages (send_hash, newer kinds) carry nothing hfrun shows.
  return Step::more;
}

} // namespace hfrun::space
