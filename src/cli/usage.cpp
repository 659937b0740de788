#include "usage.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <hfrun/util/strings.hpp>

namespace hfrun::cli {

namespace {

bool is_letter(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

// "-v", "--json", "--text=x": an option. "-", "-5" and "-0.5" are values.
bool looks_like_option(const std::string& arg) {
  if (arg.size() < 2 || arg[0] != '-') {
    return false;
  }
  if (arg[1] == '-') {
    return arg.size() > 2 && is_letter(arg[2]);
  }
  return is_letter(arg[1]);
}

const CLI::Option*
find_option(const CLI::App& app, const CLI::App* scope, const std::string& name) {
  if (scope != nullptr) {
    if (const CLI::Option* opt = scope->get_option_no_throw(name)) {
      return opt;
    }
  }
  return app.get_option_no_throw(name); // global options may follow the command (fallthrough)
}

bool takes_value(const CLI::Option* opt) {
  return opt->get_type_size_min() > 0 && opt->get_expected_min() > 0;
}

const CLI::App* find_subcommand(const CLI::App& parent, const std::string& name) {
  for (const CLI::App* sub : parent.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(name)) {
      return sub;
    }
  }
  return nullptr;
}

std::vector<std::string> long_names(const CLI::App& app, const CLI::App* scope) {
  std::vector<std::string> names;
  for (const CLI::App* a : {&app, scope}) {
    if (a == nullptr) {
      continue;
    }
    for (const CLI::Option* opt : a->get_options()) {
      for (const std::string& lname : opt->get_lnames()) {
        names.push_back("--" + lname);
      }
    }
  }
  return names;
}

std::string unknown_option(const std::string& name, const CLI::App& app, const CLI::App* scope) {
  std::string message = "unknown option '" + name + "'";
  if (scope != nullptr) {
    message += " for 'hfrun " + scope->get_name() + "'";
  }
  if (name.starts_with("--")) {
    if (auto match = util::closest_match(name, long_names(app, scope))) {
      message += "; did you mean '" + *match + "'?";
    }
  }
  return message;
}

std::string unknown_command(const std::string& name, const CLI::App& app) {
  const auto& contract = contract_commands();
  if (std::find(contract.begin(), contract.end(), name) != contract.end()) {
    return "`hfrun " + name + "` is not available in this version yet";
  }
  std::vector<std::string> commands;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    commands.push_back(sub->get_name());
  }
  std::string message = "unknown command '" + name + "'";
  if (auto match = util::closest_match(name, commands)) {
    message += "; did you mean '" + *match + "'?";
  }
  return message;
}

} // namespace

const std::vector<std::string>& contract_commands() {
  static const std::vector<std::string> k_commands{"probe",  "serverless", "endpoint", "space",
                                                   "local",  "download",   "cache",    "whoami",
                                                   "doctor", "completion"};
  return k_commands;
}

std::optional<std::string> explain_parse_error(const CLI::App& app,
                                               const std::vector<std::string>& args) {
  const CLI::App* scope = nullptr; // the (sub)command named so far
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      break;
    }
    if (looks_like_option(arg)) {
      if (arg.starts_with("--")) {
        const std::string name = arg.substr(0, arg.find('='));
        const CLI::Option* opt = find_option(app, scope, name);
        if (opt == nullptr) {
          return unknown_option(name, app, scope);
        }
        if (takes_value(opt) && arg.find('=') == std::string::npos) {
          ++i; // its value, whatever it looks like
        }
        continue;
      }
      for (std::size_t k = 1; k < arg.size(); ++k) { // -vv, -qo FILE, -oFILE
        const CLI::Option* opt = find_option(app, scope, std::string("-") + arg[k]);
        if (opt == nullptr) {
          return unknown_option(std::string("-") + arg[k], app, scope);
        }
        if (takes_value(opt)) {
          if (k + 1 == arg.size()) {
            ++i;
          }
          break;
        }
      }
      continue;
    }
    const CLI::App* parent = scope != nullptr ? scope : &app;
    if (const CLI::App* sub = find_subcommand(*parent, arg)) {
      scope = sub;
      continue;
    }
    if (scope == nullptr) {
      return unknown_command(arg, app);
    }
    // A positional of the command: its own checks judge it.
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>>
secrets_in_args(const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> secrets;
  const auto value_of = [&](std::size_t i, std::string_view option) -> std::optional<std::string> {
    const std::string& arg = args[i];
    if (arg == option) {
      return i + 1 < args.size() ? std::optional<std::string>(args[i + 1]) : std::nullopt;
    }
    if (arg.size() > option.size() && arg.starts_with(option) && arg[option.size()] == '=') {
      return arg.substr(option.size() + 1);
    }
    if (option == "-H" && arg.size() > 2 && arg.starts_with("-H")) {
      return arg.substr(2);
    }
    return std::nullopt;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (auto token = value_of(i, "--token")) {
      secrets.emplace_back("--token", *token);
    }
    for (std::string_view option : {"-H", "--header"}) {
      if (auto header = value_of(i, option)) {
        const auto colon = header->find(':');
        if (colon != std::string::npos) {
          secrets.emplace_back(header->substr(0, colon), header->substr(colon + 1));
        }
      }
    }
  }
  return secrets;
}

std::string shorten_echoes(std::string_view message, std::size_t max_word, std::size_t max_total) {
  std::string out;
  std::size_t at = 0;
  while (at < message.size()) {
    const std::size_t blank = message.find_first_of(" \n\t", at);
    const std::size_t end = blank == std::string_view::npos ? message.size() : blank;
    out += util::truncate_utf8(message.substr(at, end - at), max_word);
    if (end < message.size()) {
      out += message[end];
    }
    at = end + 1;
  }
  return util::truncate_utf8(out, max_total);
}

CLI::Validator seconds_check(bool allow_zero) {
  return CLI::Validator(
      [allow_zero](std::string& value) -> std::string {
        constexpr double k_year = 365.0 * 24 * 3600;
        char* end = nullptr;
        const double seconds = std::strtod(value.c_str(), &end);
        const bool number = end != value.c_str() && *end == '\0' && std::isfinite(seconds);
        if (number && (allow_zero ? seconds >= 0 : seconds > 0) && seconds <= k_year) {
          return {};
        }
        return allow_zero ? "must be a number of seconds, 0 or more (at most a year)"
                          : "must be a number of seconds above 0 (at most a year)";
      },
      "SECONDS");
}

CLI::Validator no_line_breaks_check() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        return value.find_first_of("\r\n") == std::string::npos
                   ? std::string()
                   : "cannot contain a line break (CR or LF): it would start another request "
                     "header";
      },
      "");
}

} // namespace hfrun::cli
