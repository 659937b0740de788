#include "inputs.hpp"

#include <filesystem>
#include <fstream>
#include <hfrun/tasks/generation.hpp>
#include <hfrun/util/json.hpp>
#include <hfrun/util/strings.hpp>
#include <sstream>
#include <sys/stat.h>

namespace hfrun::cli {

namespace {

Result<std::string> read_data_option(const std::string& data) {
  if (!data.starts_with('@')) {
    return data;
  }
  std::ifstream in(data.substr(1), std::ios::binary);
  if (!in) {
    return fail(ErrorKind::usage, "--data: cannot read " + data.substr(1));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Text inputs are sent as JSON strings: they must be UTF-8.
Result<void> check_text(std::string_view what, std::string_view text) {
  if (!util::is_valid_utf8(text)) {
    return fail(ErrorKind::usage, std::string(what) + " is not valid UTF-8 text",
                "convert it first (e.g. iconv -t UTF-8), or send binary data with --file");
  }
  return {};
}

// A regular file is streamed from disk as it is; a FIFO (`--file <(cmd)`) or a device is spooled
// to a temporary file first, as stdin is, so the upload knows its size and can be retried.
Result<void> check_input_file(const std::string& file, PreparedInputs& prepared) {
  if (prepared.file_is_stdin) {
    return {};
  }
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) {
    return fail(ErrorKind::usage, "cannot read input file '" + util::truncate_utf8(file, 200) + "'",
                "check the path given to --file");
  }
  if (S_ISREG(st.st_mode)) {
    return {};
  }
  std::FILE* in = std::fopen(file.c_str(), "rb");
  if (in == nullptr) {
    return fail(ErrorKind::usage, "cannot read input file '" + util::truncate_utf8(file, 200) + "'",
                "check the path given to --file");
  }
  auto spooled = spool_to_temp(in);
  std::fclose(in);
  if (!spooled) {
    return unexpected<Error>(spooled.error());
  }
  prepared.spooled = std::move(*spooled);
  return {};
}

} // namespace

void add_input_options(CLI::App& sub, InputOptions& o) {
  sub.add_option("--text", o.text, "Text input (chat: the user message)");
  sub.add_option("--file", o.file, "Binary input: image, audio or document; - reads stdin");
  sub.add_option("--inputs", o.inputs_json, "The raw JSON `inputs` value (structured tasks)");
  sub.add_option("--system", o.system, "Chat: the system message");
  sub.add_option("--messages", o.messages, "Chat: a whole conversation, JSON or @file");
  sub.add_option("--data", o.data, "Send this body verbatim (JSON or @file)");
  auto* stream =
      sub.add_flag("--stream", o.stream, "Stream tokens as they arrive (default on a terminal)");
  auto* no_stream = sub.add_flag("--no-stream", o.no_stream, "Wait for the whole reply");
  stream->excludes(no_stream);
}

Result<PreparedInputs> prepare_inputs(CommandEnv& env,
                                      const tasks::TaskSpec& task,
                                      const InputOptions& options,
                                      const std::vector<std::string>& args) {
  PreparedInputs prepared;
  std::vector<std::string> param_args;
  std::vector<std::string> positional;
  for (const auto& arg : args) {
    (is_param(arg) ? param_args : positional).push_back(arg);
  }
  HFRUN_TRY_ASSIGN(params, parse_params(param_args));
  prepared.inputs.params = std::move(params);

  if (!options.text.empty()) {
    HFRUN_TRY(check_text("--text", options.text));
    prepared.inputs.text = options.text;
  }
  if (!options.text.empty() && !options.inputs_json.empty()) {
    return fail(ErrorKind::usage, "both --text and --inputs were given",
                "--inputs replaces the whole input: give one of them");
  }
  if (!options.system.empty()) {
    HFRUN_TRY(check_text("--system", options.system));
    prepared.inputs.system = options.system;
  }
  if (!options.messages.empty()) {
    prepared.inputs.messages = options.messages;
  }
  if (!options.inputs_json.empty()) {
    auto parsed = nlohmann::json::parse(options.inputs_json, nullptr, false);
    if (parsed.is_discarded()) {
      return fail(ErrorKind::usage, "--inputs is not valid JSON");
    }
    prepared.inputs.inputs = std::move(parsed);
  }
  if (!options.data.empty()) {
    HFRUN_TRY_ASSIGN(data, read_data_option(options.data));
    prepared.verbatim_body = std::move(data);
  }
  std::string file = options.file;
  if (positional.size() > 1) {
    return fail(ErrorKind::usage, "more than one INPUT given: '" + positional[1] + "'",
                "quote text with spaces, and write parameters as key=value");
  }
  if (positional.size() == 1) {
    const bool binary = task.input == tasks::InputKind::binary;
    if (binary && file.empty()) {
      file = positional.front();
    } else if (!prepared.inputs.text) {
      HFRUN_TRY(check_text("INPUT", positional.front()));
      prepared.inputs.text = positional.front();
    } else {
      return fail(ErrorKind::usage, "both --text and a positional INPUT were given");
    }
  }
  bool fields_given = false; // question="..." context="..." are the input of structured tasks
  for (std::string_view field : task.fields) {
    fields_given = fields_given || prepared.inputs.params.contains(std::string(field));
  }
  const bool has_input = prepared.inputs.text || !file.empty() || prepared.inputs.inputs ||
                         prepared.inputs.messages || prepared.verbatim_body || fields_given;
  const bool stdin_usable = !env.out.io().in_is_tty && env.out.io().in != nullptr;
  if (file == "-" || (!has_input && stdin_usable && task.input == tasks::InputKind::binary)) {
    HFRUN_TRY_ASSIGN(spooled, spool_to_temp(env.out.io().in));
    if (std::filesystem::file_size(spooled.path()) > 0 || file == "-") {
      file = spooled.path().string();
      prepared.file_is_stdin = true;
      prepared.spooled = std::move(spooled);
    }
  } else if (!has_input && stdin_usable) {
    std::string text = read_all(env.out.io().in);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    if (!text.empty()) {
      HFRUN_TRY(check_text("stdin", text));
      prepared.inputs.text = std::move(text);
    }
  }
  if (!file.empty()) {
    HFRUN_TRY(check_input_file(file, prepared));
    prepared.inputs.file =
        prepared.spooled ? prepared.spooled->path() : std::filesystem::path(file);
    std::error_code ec;
    if (std::filesystem::file_size(*prepared.inputs.file, ec) == 0 && !ec) {
      return fail(ErrorKind::usage,
                  "the input " +
                      std::string(prepared.file_is_stdin ? "on stdin" : "file '" + file + "'") +
                      " is empty",
                  "nothing would be sent: check the file (or the command feeding stdin)");
    }
  }
  return prepared;
}

bool decide_stream(const CommandEnv& env,
                   const tasks::TaskSpec& task,
                   const InputOptions& options,
                   const nlohmann::json& params) {
  if (!tasks::is_generation(task.id)) {
    return false;
  }
  if (options.stream) {
    return true; // TGI itself refuses best_of or decoder_input_details with it, in its words
  }
  if (options.no_stream) {
    return false;
  }
  if (task.id == tasks::TaskId::text_generation) {
    auto typed = tasks::tgi_parameters(params);
    if (typed && (util::int_or(*typed, "best_of", 1) > 1 ||
                  util::bool_or(*typed, "decoder_input_details", false))) {
      return false; // TGI answers those only as one document
    }
  }
  return env.out.io().out_is_tty && !env.global.json && !env.global.raw;
}

} // namespace hfrun::cli
