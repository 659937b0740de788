#include "run_model.hpp"

#include "batch_model.hpp"
#include "print_outcome.hpp"

#include <hfrun/http/bodies.hpp>

namespace hfrun::cli {

namespace {

// Tokens to the terminal as they arrive; a stdout that stopped taking them (a closed pipe, a full
// disk) stops the transfer at once, so a stream is not generated (and billed) for nobody.
class StdoutStream final : public backends::StreamObserver {
public:
  StdoutStream(Output& out, bool show_tokens) : m_out(out), m_show(show_tokens) {}

  Result<void> on_text(std::string_view delta) override {
    if (!m_show) {
      return {};
    }
    m_out.stream_text(delta);
    m_printed = true;
    return check();
  }
  Result<void> on_raw(std::string_view bytes) override {
    m_out.stream_text(bytes);
    m_printed = true;
    return check();
  }
  bool emitted() const override { return m_printed; }
  [[nodiscard]] bool printed() const { return m_printed; }

private:
  Result<void> check() {
    if (m_out.stdout_failed()) {
      return fail(ErrorKind::output_failed, "writing to stdout failed; the transfer was stopped");
    }
    return {};
  }

  Output& m_out;
  bool m_show;
  bool m_printed = false;
};

// The spooled stdin upload, shown by --dry-run as `@-`: the spool file is gone once hfrun exits.
class StdinBody final : public http::BodySource {
public:
  explicit StdinBody(std::shared_ptr<http::BodySource> inner) : m_inner(std::move(inner)) {}
  std::optional<std::uint64_t> size() const override { return m_inner->size(); }
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    return m_inner->read(buffer, capacity);
  }
  Result<void> rewind() override { return m_inner->rewind(); }
  std::optional<http::BodyDescription> describe() const override {
    auto description = m_inner->describe();
    if (description) {
      description->path = "-";
    }
    return description;
  }

private:
  std::shared_ptr<http::BodySource> m_inner;
};

// -j of a batch when not given: the router and endpoints take many requests at once; a local
// worker runs one at a time, a few in flight keep it busy.
std::size_t default_batch_concurrency(std::string_view backend) {
  return backend == "local" ? 4 : 16;
}

} // namespace

RunModelCommand::RunModelCommand(std::string backend,
                                 std::string target_name,
                                 std::string target_help)
    : m_backend(std::move(backend)), m_target_name(std::move(target_name)),
      m_target_help(std::move(target_help)) {}

void RunModelCommand::setup(CLI::App& sub) {
  CLI::Option* target = sub.add_option(m_target_name, m_target, m_target_help);
  sub.add_option("args", m_args,
                 "INPUT (a file path or text) and parameters key=value, key:=json, key=@file");
  add_input_options(sub, m_input);
  sub.add_option("--task", m_task, "Task (default: what the target says it does)");
  sub.add_option("--output-dir", m_output_dir,
                 "Write binary results here, one file each (<label>.<ext>)");
  add_batch_options(sub, m_batch);
  add_backend_options(sub);
  add_backend_commands(sub);
  (void)target; // optional for CLI11: --batch lines may name it; run() says when it is missing
}

Result<void> RunModelCommand::run(CommandEnv& env) {
  if (auto ran = run_backend_command(env)) {
    return std::move(*ran);
  }
  if (!m_batch.file.empty()) {
    ModelBatchSpec spec;
    spec.backend = m_backend;
    spec.target = m_target;
    spec.task = m_task;
    spec.input = m_input;
    spec.args = m_args;
    spec.options = backend_options();
    if (!m_output_dir.empty()) {
      spec.output_dir = m_output_dir;
      std::error_code ec;
      if (!std::filesystem::is_directory(*spec.output_dir, ec)) {
        return fail(ErrorKind::usage, "--output-dir " + m_output_dir + " is not a directory",
                    "create it first");
      }
    }
    return run_batch(
        env, m_batch, default_batch_concurrency(m_backend),
        [spec](client::Client& client) { return make_model_item_runner(spec, client); });
  }
  if (m_batch.concurrency != 0 || m_batch.ordered || m_batch.resume || !m_batch.shard.empty()) {
    return fail(ErrorKind::usage, "-j, --ordered, --resume and --shard go with --batch FILE");
  }
  if (m_target.empty()) {
    return fail(ErrorKind::usage, "hfrun " + m_backend + " needs a " + m_target_name,
                "run 'hfrun " + m_backend + " --help'; with --batch FILE each line may name it");
  }
  const backends::BackendEntry* entry = backends::find_backend(m_backend);
  if (entry == nullptr) {
    return fail(ErrorKind::internal, "no backend named " + m_backend);
  }
  std::unique_ptr<backends::Backend> backend = entry->make();

  backends::Call call;
  call.command = m_backend;
  call.target = m_target;
  if (!m_task.empty()) {
    call.task = m_task;
  }
  for (const auto& arg : m_args) {
    if (is_param(arg)) {
      call.param_keys.push_back(arg.substr(0, arg.find_first_of(":=")));
    }
  }
  call.options = backend_options();

  if (env.client.dry_run() && backend->needs_lookup(call)) {
    env.out.note(
        "dry run: the task comes from this lookup; pass --task (and the backend's options) to see "
        "the inference request itself");
  }
  HFRUN_TRY_ASSIGN(plan, backend->plan(env.client, call));
  for (const auto& warning : plan.warnings) {
    env.out.warn(warning);
  }
  const tasks::TaskSpec& task = *plan.task;
  HFRUN_TRY_ASSIGN(prepared, prepare_inputs(env, task, m_input, m_args));
  const bool stream = decide_stream(env, task, m_input, prepared.inputs.params);

  std::optional<std::filesystem::path> output_dir;
  if (!m_output_dir.empty()) {
    output_dir = m_output_dir;
    std::error_code ec;
    if (!std::filesystem::is_directory(*output_dir, ec)) {
      return fail(ErrorKind::usage, "--output-dir " + m_output_dir + " is not a directory",
                  "create it first");
    }
  }
  if (task.binary_output && env.global.json && !env.out.options().output_file && !output_dir) {
    return fail(ErrorKind::usage,
                "--json with a binary result (" + std::string(task.name) + ") needs -o PATH",
                "the JSON then describes the file written; --output-dir DIR takes several");
  }
  HFRUN_TRY(env.out.check_output_writable());

  http::Request request;
  if (prepared.verbatim_body) {
    // --data: the body exactly as given, to the planned URL; the codec is not consulted.
    request.method = "POST";
    request.url = plan.url;
    request.body = http::string_body(*prepared.verbatim_body);
    request.headers.set("Content-Type", "application/json");
  } else {
    backends::EncodeContext context;
    if (tasks::is_generation(task.id) && stream) {
      context.stream = true; // else left out, as the JS client does
    }
    context.example = "hfrun " + m_backend + " " + m_target_name;
    HFRUN_TRY_ASSIGN(encoded, backend->encode(plan, prepared.inputs, context));
    request = std::move(encoded);
    if (prepared.file_is_stdin && request.body) {
      request.body = std::make_shared<StdinBody>(request.body);
    }
  }
  if (env.global.verbose >= 1) {
    env.out.note("task " + std::string(task.name) + " via " + plan.via + ": " + request.method +
                 " " + request.url);
  }

  // A large upload shows its progress on a terminal's stderr (nothing in CI, with -q or
  // --no-progress).
  std::optional<ProgressBar> upload_bar;
  constexpr std::uint64_t k_progress_from = 8u << 20;
  if (request.body && request.body->size().value_or(0) >= k_progress_from &&
      env.out.progress_enabled()) {
    upload_bar.emplace(env.out, "uploading", request.body->size());
    request.upload_progress = [&upload_bar](std::uint64_t sent, std::uint64_t) {
      upload_bar->update(sent);
    };
  }

  const bool show_tokens = !env.global.json && !env.global.raw && !env.out.options().output_file;
  StdoutStream observer(env.out, show_tokens);
  backends::ExecuteOptions options;
  options.stream = stream;
  options.raw = env.global.raw;
  options.observer = &observer;
  if (!prepared.verbatim_body) {
    options.inputs = &prepared.inputs;
  }
  auto executed = backend->execute(env.client, plan, request, options);
  if (upload_bar) {
    upload_bar->finish();
  }
  HFRUN_TRY_ASSIGN(outcome, std::move(executed));

  PrintContext print{task, prepared, output_dir, observer.printed()};
  return print_outcome(env, print, outcome);
}

} // namespace hfrun::cli
