#include "batch_model.hpp"

#include "params.hpp"
#include "print_outcome.hpp"

#include <condition_variable>
#include <functional>
#include <hfrun/backends/backend.hpp>
#include <hfrun/http/limiter.hpp>
#include <hfrun/util/json.hpp>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <thread>

namespace hfrun::cli {

namespace {

// Nothing is streamed in a batch; the backends still get an observer to talk to.
class QuietObserver final : public backends::StreamObserver {
public:
  Result<void> on_text(std::string_view) override { return {}; }
  Result<void> on_raw(std::string_view) override { return {}; }
  bool emitted() const override { return false; }
};

// The keys a line may hold besides parameters.
constexpr std::string_view k_input_keys[] = {"model",  "target",   "task",   "text",  "file",
                                             "inputs", "messages", "system", "params"};

bool is_input_key(std::string_view key) {
  for (std::string_view k : k_input_keys) {
    if (k == key) {
      return true;
    }
  }
  return false;
}

Result<std::optional<std::string>> string_field(const nlohmann::json& fields,
                                                std::string_view key) {
  const auto* value = util::json_member(fields, key);
  if (value == nullptr || value->is_null()) {
    return std::optional<std::string>();
  }
  if (!value->is_string()) {
    return fail(ErrorKind::usage, "\"" + std::string(key) + "\" must be a string");
  }
  return std::optional<std::string>(value->get_ref<const std::string&>());
}

// Runs plans on one thread of its own that outlives every backend they made. A plan may start a
// process (the local backend's worker), and a child started with PR_SET_PDEATHSIG dies with the
// thread that started it (src/util/process.cpp): a batch worker thread ends when the input does,
// this one only after the backends (and their workers) were stopped.
class PlanThread {
public:
  PlanThread() : m_thread([this] { loop(); }) {}
  ~PlanThread() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_ready.notify_all();
    m_thread.join();
  }
  PlanThread(const PlanThread&) = delete;
  PlanThread& operator=(const PlanThread&) = delete;

  // Runs `task` there and waits for it.
  void run(const std::function<void()>& task) {
    std::unique_lock lock(m_mutex);
    bool done = false;
    m_tasks.push_back({&task, &done});
    m_ready.notify_all();
    m_done.wait(lock, [&] { return done; });
  }

private:
  struct Task {
    const std::function<void()>* task;
    bool* done;
  };
  void loop() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_ready.wait(lock, [&] { return m_stop || !m_tasks.empty(); });
      if (m_tasks.empty()) {
        return;
      }
      const Task next = m_tasks.front();
      m_tasks.erase(m_tasks.begin());
      lock.unlock();
      (*next.task)();
      lock.lock();
      *next.done = true;
      m_done.notify_all();
    }
  }

  std::mutex m_mutex;
  std::condition_variable m_ready;
  std::condition_variable m_done;
  std::vector<Task> m_tasks;
  bool m_stop = false;
  std::thread m_thread;
};

// A planned target+task: the backend that planned it serves every line with that key.
struct Planned {
  std::once_flag once;
  std::unique_ptr<backends::Backend> backend;
  std::optional<Result<backends::Plan>> plan;
};

class ModelItems {
public:
  ModelItems(ModelBatchSpec spec, client::Client& client, nlohmann::json base_params)
      : m_spec(std::move(spec)), m_client(client), m_base_params(std::move(base_params)) {}

  batch::ItemResult run(const batch::Item& item) {
    batch::ItemResult result;
    auto outcome = run_item(item, result);
    if (!outcome) {
      result.ok = false;
      result.error = std::move(outcome.error());
    }
    return result;
  }

private:
  Result<void> run_item(const batch::Item& item, batch::ItemResult& result) {
    const nlohmann::json& fields = item.fields;
    HFRUN_TRY_ASSIGN(model, string_field(fields, "model"));
    HFRUN_TRY_ASSIGN(target_field, string_field(fields, "target"));
    HFRUN_TRY_ASSIGN(task_field, string_field(fields, "task"));
    const std::string target = model ? *model : target_field ? *target_field : m_spec.target;
    if (target.empty()) {
      return fail(ErrorKind::usage, "no model: the line has no \"model\" and none was given",
                  "give the model on the command line, or \"model\" in each line");
    }
    const std::string task = task_field ? *task_field : m_spec.task;

    // The parameters: the command line's, then the line's "params", then its other keys.
    nlohmann::json params = m_base_params;
    if (const auto* given = util::json_member(fields, "params")) {
      if (!given->is_object()) {
        return fail(ErrorKind::usage, "\"params\" must be a JSON object");
      }
      for (const auto& [key, value] : given->items()) {
        params[key] = value;
      }
    }
    for (const auto& [key, value] : fields.items()) {
      if (!is_input_key(key)) {
        params[key] = value;
      }
    }

    backends::Call call;
    call.command = m_spec.backend;
    call.target = target;
    if (!task.empty()) {
      call.task = task;
    }
    for (const auto& [key, value] : params.items()) {
      call.param_keys.push_back(key);
    }
    call.options = m_spec.options;
    HFRUN_TRY_ASSIGN(planned, plan_for(call));
    // The plan's lookups are the batch's, not this item's: attempts count its own requests.
    http::LimitedTransport::reset_attempts_of_this_thread();
    backends::Backend& backend = *planned->backend;
    const backends::Plan& plan = planned->plan->value();
    const tasks::TaskSpec& spec = *plan.task;

    tasks::Inputs inputs;
    inputs.params = std::move(params);
    HFRUN_TRY_ASSIGN(text, string_field(fields, "text"));
    HFRUN_TRY_ASSIGN(file, string_field(fields, "file"));
    HFRUN_TRY_ASSIGN(system, string_field(fields, "system"));
    if (!text && !m_spec.input.text.empty()) {
      text = m_spec.input.text;
    }
    if (!file && !m_spec.input.file.empty()) {
      file = m_spec.input.file;
    }
    if (!system && !m_spec.input.system.empty()) {
      system = m_spec.input.system;
    }
    inputs.text = text;
    inputs.system = system;
    if (const auto* messages = util::json_member(fields, "messages")) {
      if (messages->is_array()) {
        inputs.messages = messages->dump();
      } else if (messages->is_string()) {
        inputs.messages = messages->get_ref<const std::string&>();
      } else {
        return fail(ErrorKind::usage, "\"messages\" must be an array of messages or a string");
      }
    } else if (!m_spec.input.messages.empty()) {
      inputs.messages = m_spec.input.messages;
    }
    if (const auto* given = util::json_member(fields, "inputs")) {
      inputs.inputs = *given;
    } else if (!m_spec.input.inputs_json.empty()) {
      auto parsed = util::parse_untrusted(m_spec.input.inputs_json);
      if (parsed.is_discarded()) {
        return fail(ErrorKind::usage, "--inputs is not valid JSON");
      }
      inputs.inputs = std::move(parsed);
    }
    if (file) {
      struct stat st {};
      if (::stat(file->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail(ErrorKind::usage, "cannot read input file '" + *file + "'",
                    "\"file\" is a path to a regular file (relative to the current directory)");
      }
      if (st.st_size == 0) {
        return fail(ErrorKind::usage, "the input file '" + *file + "' is empty");
      }
      inputs.file = *file;
    }
    if (spec.binary_output && !m_spec.output_dir) {
      return fail(ErrorKind::usage,
                  std::string(spec.name) + " gives a file: a batch writes them to --output-dir DIR",
                  "each row then holds the path written");
    }

    backends::EncodeContext context;
    context.example = "hfrun " + m_spec.backend + " MODEL";
    HFRUN_TRY_ASSIGN(request, backend.encode(plan, inputs, context));
    QuietObserver observer;
    backends::ExecuteOptions options;
    options.observer = &observer;
    options.inputs = &inputs;
    HFRUN_TRY_ASSIGN(outcome, backend.execute(m_client, plan, request, options));
    result.status = outcome.status;
    switch (outcome.kind) {
    case backends::Outcome::Kind::json:
      result.result = std::move(outcome.normalized);
      break;
    case backends::Outcome::Kind::files: {
      const std::string name =
          item.id.is_string() ? item.id.get_ref<const std::string&>() : item.id.dump();
      HFRUN_TRY_ASSIGN(written, write_item_files(outcome.files, name, *m_spec.output_dir));
      result.result = std::move(written);
      break;
    }
    case backends::Outcome::Kind::raw:
      result.result = outcome.raw_body;
      break;
    }
    result.ok = true;
    return {};
  }

  Result<Planned*> plan_for(const backends::Call& call) {
    const std::string key = call.target + '\n' + call.task.value_or("");
    std::shared_ptr<Planned> planned;
    {
      std::lock_guard lock(m_mutex);
      auto& slot = m_plans[key];
      if (!slot) {
        slot = std::make_shared<Planned>();
      }
      planned = slot;
    }
    std::call_once(planned->once, [&] {
      m_planner.run([&] {
        const backends::BackendEntry* entry = backends::find_backend(m_spec.backend);
        if (entry == nullptr) {
          planned->plan = fail(ErrorKind::internal, "no backend named " + m_spec.backend);
          return;
        }
        planned->backend = entry->make();
        planned->plan = planned->backend->plan(m_client, call);
      });
    });
    if (!*planned->plan) {
      return unexpected<Error>(planned->plan->error());
    }
    return planned.get();
  }

  ModelBatchSpec m_spec;
  client::Client& m_client;
  nlohmann::json m_base_params;
  PlanThread m_planner; // declared before m_plans: it ends after their backends are gone
  std::mutex m_mutex;
  std::map<std::string, std::shared_ptr<Planned>> m_plans; // guarded by m_mutex; never shrinks
};

} // namespace

Result<batch::ItemRunner> make_model_item_runner(const ModelBatchSpec& spec,
                                                 client::Client& client) {
  std::vector<std::string> param_args;
  for (const auto& arg : spec.args) {
    if (!is_param(arg)) {
      return fail(ErrorKind::usage, "with --batch the inputs come from the lines: '" + arg + "'",
                  "give the input as \"text\" or \"file\" in each line; key=value parameters "
                  "on the command line apply to every line");
    }
    param_args.push_back(arg);
  }
  HFRUN_TRY_ASSIGN(params, parse_params(param_args));
  if (!spec.input.data.empty()) {
    return fail(ErrorKind::usage, "--data does not go with --batch",
                "each line is the input; use \"inputs\" for a whole raw value");
  }
  auto items = std::make_shared<ModelItems>(spec, client, std::move(params));
  return batch::ItemRunner([items](const batch::Item& item) { return items->run(item); });
}

} // namespace hfrun::cli
