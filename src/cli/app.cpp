// The command line: global options, the command table, and the one place where an Error becomes a
// message and an exit code.
#include "app_builder.hpp"
#include "command.hpp"
#include "hints.hpp"
#include "usage.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <hfrun/http/transport.hpp>
#include <hfrun/util/cancel.hpp>
#include <sstream>
#include <unistd.h>

namespace hfrun::cli {

namespace {

// The process's one cancellation token: SIGINT and SIGTERM cancel it; every wait and transfer of
// the command watches it (util/cancel.hpp).
util::CancelToken& process_cancel_token() {
  static util::CancelToken token;
  return token;
}

extern "C" void on_cancel_signal(int signal) {
  process_cancel_token().cancel(signal);
}

// 130 for Ctrl-C, 143 for SIGTERM: what a shell reports for a process the signal ended.
ErrorKind cancel_kind(const util::CancelToken& token) {
  return token.signal() == SIGTERM ? ErrorKind::terminated : ErrorKind::interrupted;
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("--token", g.token,
                 "Hugging Face token (default: HF_TOKEN, HUGGING_FACE_HUB_TOKEN, "
                 "then the token file)");
  app.add_flag("--json", g.json, "Print one normalized JSON document on stdout");
  app.add_flag("--raw", g.raw, "Print the server's body untouched");
  app.add_option(
      "-o,--output", g.output,
      "Write the result to this file (- is stdout; a symlink's target or a device is written "
      "in place, docs/output.md)");
  app.add_flag("-v,--verbose", g.verbose,
               "More detail on stderr; -vv shows requests and headers "
               "(token masked)");
  app.add_flag("-q,--quiet", g.quiet, "Only errors on stderr (no warnings, notes or progress)");
  app.add_option("--timeout", g.timeout_s,
                 "Overall time limit per request, seconds (default: none)")
      ->check(seconds_check(true));
  app.add_option("--connect-timeout", g.connect_timeout_s, "Connection time limit, seconds")
      ->check(seconds_check(false))
      ->capture_default_str();
  app.add_option("--retries", g.retries, "Retries on 408/429/5xx and connection errors")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  app.add_option("-H,--header", g.headers, "Extra request header 'Name: value' (repeatable)")
      ->check(no_line_breaks_check());
  app.add_option("--bill-to", g.bill_to, "Bill the request to this organization (X-HF-Bill-To)")
      ->check(no_line_breaks_check());
  app.add_flag("--dry-run", g.dry_run, "Print the equivalent curl command(s), send nothing");
  app.add_flag("--no-progress", g.no_progress, "No progress bars");
  app.add_option("--color", g.color, "Colour: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_flag("--insecure", g.insecure, "Do not verify TLS certificates (unsafe)");
}

// The global options, listed in every command's --help: its examples use them (-o, --json ...).
std::string global_options_help(const CLI::App& app) {
  std::string text = "Global options (before or after the command; details: hfrun --help):\n";
  for (const CLI::Option* option : app.get_options()) {
    std::string name = option->get_name(false, true);
    if (name.empty() || name == "--help" || name == "-h,--help" || name == "--version") {
      continue;
    }
    if (option->get_type_size() != 0 && !option->get_type_name().empty()) {
      name += " " + option->get_type_name();
    }
    text += "  " + name;
    text += name.size() < 28 ? std::string(28 - name.size(), ' ') : std::string("  ");
    text += option->get_description() + "\n";
  }
  return text;
}

Result<std::vector<std::pair<std::string, std::string>>>
parse_headers(const std::vector<std::string>& raw) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& header : raw) {
    const auto colon = header.find(':');
    const std::string name = header.substr(0, colon);
    // An HTTP field name is a token: no blanks, separators or control characters (RFC 9110 5.1).
    const bool name_ok =
        colon != std::string::npos && colon != 0 &&
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "!#$%&'*+-.^_`|~") == std::string::npos;
    if (!name_ok) {
      return fail(ErrorKind::usage, "-H: bad header '" + shorten_echoes(header, 200, 200) + "'",
                  "use -H 'Name: value'");
    }
    std::string value = header.substr(colon + 1);
    if (value.find_first_of("\r\n") != std::string::npos) {
      return fail(ErrorKind::usage, "-H '" + name + "': a header value cannot contain a line break",
                  "give each header with its own -H");
    }
    value.erase(0, value.find_first_not_of(" \t"));
    out.emplace_back(name, value);
  }
  return out;
}

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

// Where the usage error comes from, in one line, with the way to learn more.
int usage_error(Output& out, const std::string& message, const std::string& command) {
  Error e =
      make_error(ErrorKind::usage, shorten_echoes(message),
                 "run 'hfrun " + (command.empty() ? std::string() : command + " ") + "--help'");
  out.error(e);
  return exit_code_for(e.kind);
}

// --color as the command line gives it, for the errors printed before it parses: a usage error
// honours `--color never` (and `always`) as every later line does. The last one wins, as in CLI11.
ColorMode early_color(const std::vector<std::string>& args) {
  ColorMode mode = ColorMode::auto_detect;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string value;
    if (args[i] == "--color" && i + 1 < args.size()) {
      value = args[i + 1];
    } else if (args[i].starts_with("--color=")) {
      value = args[i].substr(std::string_view("--color=").size());
    } else {
      continue;
    }
    mode = value == "always"  ? ColorMode::always
           : value == "never" ? ColorMode::never
                              : ColorMode::auto_detect;
  }
  return mode;
}

} // namespace

std::vector<RegisteredCommand> build_app(CLI::App& app, GlobalOptions& global) {
  app.name("hfrun");
  app.description("hfrun: run Hugging Face models every way from the shell: Inference Providers, "
                  "Inference Endpoints, Spaces, or locally.");
  app.set_version_flag("--version", std::string("hfrun ") + HFRUN_VERSION);
  app.require_subcommand(1);
  app.fallthrough(); // global options may follow the command: `hfrun whoami --json`
  app.footer(
      "Example:\n"
      "  hfrun serverless meta-llama/Llama-3.1-8B-Instruct --text \"Hello\"\n"
      "  hfrun probe google/vit-base-patch16-224\n\n"
      "Environment: HF_TOKEN, HF_ENDPOINT, HF_HOME, HFRUN_ROUTER_URL ... (docs/configuration.md)\n"
      "Exit codes: docs/exit-codes.md");

  add_global_options(app, global);

  std::vector<RegisteredCommand> registered;
  const std::string globals = global_options_help(app);
  for (const auto& entry : command_table()) {
    auto command = entry.make();
    CLI::App* sub = app.add_subcommand(entry.name, entry.summary);
    sub->footer(std::string("Example:\n  ") + entry.example + "\n\n" + globals);
    command->setup(*sub);
    registered.push_back({&entry, sub, std::move(command)});
  }
  return registered;
}

int run_with(const std::vector<std::string>& args, const Io& io, const config::EnvLookup& env) {
  CLI::App app;
  GlobalOptions global;
  std::vector<RegisteredCommand> registered = build_app(app, global);

  const config::Config config = config::load_config(env);
  OutputOptions early;
  early.no_color_env = config.no_color;
  early.color = early_color(args);
  // --json anywhere asks for the JSON error line, also for a command line that does not parse.
  early.json = std::find(args.begin(), args.end(), "--json") != args.end();
  Output early_out(io, early);
  // A usage error may echo any argument: the secrets among them are masked already.
  for (const auto& [name, value] : secrets_in_args(args)) {
    if (name == "--token") {
      early_out.add_secret(value);
    } else {
      early_out.add_header_secret(name, value);
    }
  }
  for (const char* variable : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
    early_out.add_secret(env(variable).value_or(""));
  }

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) { // --help, --version
      std::ostringstream text;
      std::ostringstream ignored;
      (void)app.exit(e, text, ignored);
      early_out.stream_text(text.str());
      if (auto flushed = early_out.finish(); !flushed) { // `hfrun --help > /dev/full` is no success
        early_out.error(flushed.error());
        return exit_code_for(flushed.error().kind);
      }
      return 0;
    }
    std::string command;
    for (const auto& r : registered) {
      if (r.sub->parsed()) {
        command = r.entry->name;
      }
    }
    // A typo'd command or option is named first, whatever else CLI11 stopped at.
    return usage_error(early_out, explain_parse_error(app, args).value_or(e.what()), command);
  }
  if (global.quiet && global.verbose > 0) {
    return usage_error(early_out, "--quiet and --verbose exclude each other", "");
  }
  if (auto checked = config::check_config(config); !checked) {
    early_out.error(checked.error());
    return exit_code_for(checked.error().kind);
  }

  OutputOptions output_options;
  output_options.json = global.json;
  output_options.raw = global.raw;
  if (!global.output.empty()) {
    output_options.output_file = global.output;
  }
  output_options.color = global.color == "always"  ? ColorMode::always
                         : global.color == "never" ? ColorMode::never
                                                   : ColorMode::auto_detect;
  output_options.no_color_env = config.no_color;
  output_options.quiet = global.quiet;
  output_options.progress = !global.no_progress && !config.disable_progress;
  Output out(io, output_options);
  // The token and credential -H values are masked by value in everything printed on stderr.
  const config::Token token = config::find_token(global.token, env, config);
  for (const std::string& warning : token.warnings) {
    out.warn(warning);
  }
  out.add_secret(token.value);
  for (const std::string& header : global.headers) {
    const auto colon = header.find(':');
    if (colon != std::string::npos) {
      out.add_header_secret(header.substr(0, colon), header.substr(colon + 1));
    }
  }

  if (global.json && global.raw) {
    return usage_error(out, "--json and --raw exclude each other", "");
  }
  auto headers = parse_headers(global.headers);
  if (!headers) {
    out.error(headers.error());
    return exit_code_for(headers.error().kind);
  }

  http::TransportOptions transport_options;
  transport_options.timeouts.connect = seconds_to_ms(global.connect_timeout_s);
  transport_options.timeouts.total = seconds_to_ms(global.timeout_s);
  transport_options.insecure = global.insecure;
  transport_options.ca_bundle = config.ca_bundle;
  util::CancelToken& cancel = process_cancel_token();
  transport_options.cancel = &cancel;
  if (global.verbose >= 2) {
    transport_options.header_log = [&out](std::string_view line) { out.plain_err(line); };
  }
  if (global.insecure) {
    out.warn("--insecure: TLS certificates are not verified");
  }

  client::ClientOptions client_options;
  client_options.config = config;
  client_options.token = token;
  client_options.retry.max_retries = global.retries;
  client_options.retry.cancel = &cancel;
  client_options.extra_headers = std::move(*headers);
  client_options.bill_to = global.bill_to;
  client_options.dry_run = global.dry_run;
  client::Reporter reporter;
  reporter.note = [&out](std::string_view line) { out.note(line); };
  reporter.dry_run = [&out](std::string_view line) { out.stream_text(std::string(line) + "\n"); };
  util::CancellableSleeper sleeper(cancel);
  client::Client client(std::move(client_options), http::make_curl_transport(transport_options),
                        sleeper, std::move(reporter));

  CommandEnv command_env{global, config, client, out, cancel, transport_options};
  for (auto& r : registered) {
    if (!r.sub->parsed()) {
      continue;
    }
    Result<void> result = fail(ErrorKind::internal, "no command ran");
    try {
      result = r.command->run(command_env);
    } catch (const std::exception& e) {
      // Last resort: a bug let an exception through. Say so rather than crash.
      result = fail(ErrorKind::internal, std::string("internal error: ") + e.what(),
                    "please report this bug");
    }
    if (cancel.cancelled()) {
      const ErrorKind kind = cancel_kind(cancel);
      out.error(
          make_error(kind, kind == ErrorKind::terminated ? "terminated (SIGTERM)" : "interrupted"));
      return exit_code_for(kind);
    }
    if (!result && !client::is_dry_run_stop(result.error())) {
      Error error = std::move(result.error());
      add_option_hints(error, r.entry->name);
      out.error(error);
      return exit_code_for(error.kind);
    }
    // Output that never reached stdout (closed, full) is not a success (docs/exit-codes.md).
    if (auto flushed = out.finish(); !flushed) {
      out.error(flushed.error());
      return exit_code_for(flushed.error().kind);
    }
    return 0;
  }
  return usage_error(out, "no command given", "");
}

int run(int argc, char** argv) {
  // A closed stdout/stderr (`hfrun ... >&-`) must not let a file hfrun opens later take its
  // descriptor and receive the output: hold it with a read-only /dev/null, so writes fail (exit
  // 11).
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
      const int held = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (held >= 0 && held != fd) {
        ::close(held); // a lower descriptor was free too: nothing to hold here
      }
    }
  }
  (void)process_cancel_token(); // its pipe exists before a signal can arrive
  struct sigaction action {};
  action.sa_handler = on_cancel_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN); // a closed pipe (hfrun ... | head) is an error value, not a kill
  const Io io = process_io();
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    args.emplace_back(argv[i]);
  }
  return run_with(args, io, config::process_env());
}

} // namespace hfrun::cli
