// hfrun completion bash|zsh|fish: completion scripts generated from the CLI11 tree of build_app
// (app_builder.hpp), so they cannot miss a command or an option; docs/shell.md.
#include "app_builder.hpp"
#include "command.hpp"
#include "shell_docs.hpp"

#include <algorithm>
#include <hfrun/cache/inspect.hpp>
#include <hfrun/tasks/task.hpp>
#include <set>

namespace hfrun::cli {

namespace {

// CLI11's type name is "TEXT:{a,b,c}" for an IsMember set, "INT:INT in [0 - 20]" for a range.
void read_type(const CLI::Option& option, OptionDoc& doc) {
  const std::string type = option.get_type_name();
  doc.value_name = type.substr(0, type.find(':'));
  const auto open = type.find(":{");
  const auto close = type.find('}', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) {
    return;
  }
  const std::string set = type.substr(open + 2, close - open - 2);
  std::size_t start = 0;
  while (start <= set.size()) {
    const auto comma = std::min(set.find(',', start), set.size());
    if (comma > start) {
      doc.choices.push_back(set.substr(start, comma - start));
    }
    start = comma + 1;
  }
}

CommandDoc
describe(const CLI::App& app, const std::string& parent_path, const std::string& parent_words) {
  CommandDoc doc;
  doc.name = app.get_name();
  const bool root = app.get_parent() == nullptr;
  doc.path = root ? "" : parent_path + "/" + doc.name;
  doc.words = root ? "" : (parent_words.empty() ? doc.name : parent_words + " " + doc.name);
  doc.summary = app.get_description();
  if (!root && parent_path.empty()) {
    for (const auto& entry : command_table()) {
      if (doc.name == entry.name) {
        doc.example = entry.example;
      }
    }
  }
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) {
      continue; // hidden (the scripts' own --model-ids)
    }
    if (!option->nonpositional()) {
      doc.positionals.push_back(option->get_name(true, false));
      OptionDoc positional;
      read_type(*option, positional);
      doc.positional_choices.insert(doc.positional_choices.end(), positional.choices.begin(),
                                    positional.choices.end());
      continue;
    }
    OptionDoc o;
    for (const auto& name : option->get_lnames()) {
      o.names.push_back("--" + name);
    }
    for (const auto& name : option->get_snames()) {
      o.names.push_back("-" + name);
    }
    o.takes_value = option->get_items_expected_max() != 0; // a flag expects 0 items
    if (o.takes_value) {
      read_type(*option, o);
    }
    // --task takes any pipeline tag (a server may know more), so CLI11 has no set for it: the
    // completion offers the tasks hfrun knows.
    if (o.takes_value && o.choices.empty() && o.names.front() == "--task") {
      for (const auto& task : tasks::all_tasks()) {
        o.choices.emplace_back(task.name);
      }
    }
    o.description = option->get_description();
    doc.options.push_back(std::move(o));
  }
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    doc.subcommands.push_back(describe(*sub, doc.path, doc.words));
  }
  return doc;
}

void collect(const CommandDoc& doc, std::vector<const CommandDoc*>& out) {
  out.push_back(&doc);
  for (const auto& sub : doc.subcommands) {
    collect(sub, out);
  }
}

// Single-quoted for sh, bash, zsh and fish alike ('\'' closes, escapes and reopens).
std::string sh_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// fish does not take '\'' inside single quotes; it takes \' there.
std::string fish_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : std::string(separator)) + item;
  }
  return out;
}

// The case patterns that step from one command path to the next ("/cache|/cache/ls|...").
std::string path_patterns(const CommandDoc& root) {
  std::vector<std::string> paths;
  for (const CommandDoc* doc : all_commands(root)) {
    if (!doc->path.empty()) {
      paths.push_back(doc->path);
    }
  }
  return join(paths, "|");
}

// The options a command takes: its own and, since global options may follow any command, the
// root's (app.cpp's fallthrough).
std::vector<const OptionDoc*> options_at(const CommandDoc& root, const CommandDoc& doc) {
  std::vector<const OptionDoc*> out;
  std::set<std::string> seen;
  for (const CommandDoc* from : {&doc, &root}) {
    for (const auto& option : from->options) {
      if (seen.insert(option.names.front()).second) {
        out.push_back(&option);
      }
    }
  }
  return out;
}

std::string bash_script(const CommandDoc& root) {
  std::string s = "# bash completion for hfrun, generated by `hfrun completion bash` "
                  "(docs/shell.md)\n"
                  "_hfrun() {\n"
                  "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                  "  local cmdpath=\"\" i\n"
                  "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
                  "    case \"$cmdpath/${COMP_WORDS[i]}\" in\n"
                  "      " +
                  path_patterns(root) +
                  ") cmdpath=\"$cmdpath/${COMP_WORDS[i]}\" ;;\n"
                  "    esac\n"
                  "  done\n"
                  "  if [[ $cur == @* ]]; then # @FILE: a file's content\n"
                  "    compopt -o filenames 2>/dev/null\n"
                  "    COMPREPLY=($(compgen -f -P @ -- \"${cur#@}\"))\n"
                  "    return\n"
                  "  fi\n"
                  "  # An option's value: its set, else files (complete -o default).\n"
                  "  case \"$cmdpath:$prev\" in\n";
  std::vector<const CommandDoc*> docs = all_commands(root);
  for (const CommandDoc* doc : docs) {
    for (const OptionDoc* option : options_at(root, *doc)) {
      if (!option->takes_value) {
        continue;
      }
      std::vector<std::string> patterns;
      for (const auto& name : option->names) {
        patterns.push_back(sh_quoted(doc->path + ":" + name));
      }
      s += "    " + join(patterns, "|") + ")";
      if (option->choices.empty()) {
        s += " COMPREPLY=(); return ;;\n";
      } else {
        s += " COMPREPLY=($(compgen -W " + sh_quoted(join(option->choices, " ")) +
             " -- \"$cur\")); return ;;\n";
      }
    }
  }
  s += "  esac\n"
       "  local opts=\"\" subs=\"\" repos=\"\"\n"
       "  case \"$cmdpath\" in\n";
  for (const CommandDoc* doc : docs) {
    std::vector<std::string> names;
    for (const OptionDoc* option : options_at(root, *doc)) {
      names.insert(names.end(), option->names.begin(), option->names.end());
    }
    std::vector<std::string> subs;
    for (const auto& sub : doc->subcommands) {
      subs.push_back(sub.name);
    }
    subs.insert(subs.end(), doc->positional_choices.begin(), doc->positional_choices.end());
    s += "    " + sh_quoted(doc->path) + ") opts=" + sh_quoted(join(names, " ")) +
         " subs=" + sh_quoted(join(subs, " ")) + (doc->takes_repo() ? " repos=1" : "") + " ;;\n";
  }
  s += "  esac\n"
       "  if [[ $cur == -* ]]; then\n"
       "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
       "  elif [[ -n $subs ]]; then\n"
       "    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
       "  elif [[ -n $repos ]]; then # the model ids in the cache\n"
       "    COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" completion --model-ids 2>/dev/null)\" "
       "-- \"$cur\"))\n"
       "  fi\n"
       "}\n"
       "complete -o default -F _hfrun hfrun\n";
  return s;
}

// zsh's _describe entries are NAME:DESCRIPTION; a colon in the name is written \:.
std::string zsh_entry(std::string_view name, std::string_view description) {
  std::string entry;
  for (const char c : name) {
    entry += c == ':' ? std::string("\\:") : std::string(1, c);
  }
  return sh_quoted(entry + ":" + std::string(description));
}

std::string zsh_script(const CommandDoc& root) {
  // `path` is zsh's tied PATH array: the script's variable is cmdpath.
  std::string s = "#compdef hfrun\n"
                  "# zsh completion for hfrun, generated by `hfrun completion zsh` "
                  "(docs/shell.md)\n"
                  "_hfrun() {\n"
                  "  local cmdpath=\"\" i\n"
                  "  for ((i = 2; i < CURRENT; i++)); do\n"
                  "    case \"$cmdpath/${words[i]}\" in\n"
                  "      (" +
                  path_patterns(root) +
                  ") cmdpath=\"$cmdpath/${words[i]}\" ;;\n"
                  "    esac\n"
                  "  done\n"
                  "  local prev=\"${words[CURRENT-1]}\" cur=\"${words[CURRENT]}\"\n"
                  "  if [[ $cur == @* ]]; then # @FILE: a file's content\n"
                  "    compset -P '@'\n"
                  "    _files\n"
                  "    return\n"
                  "  fi\n"
                  "  case \"$cmdpath:$prev\" in\n";
  std::vector<const CommandDoc*> docs = all_commands(root);
  for (const CommandDoc* doc : docs) {
    for (const OptionDoc* option : options_at(root, *doc)) {
      if (!option->takes_value) {
        continue;
      }
      std::vector<std::string> patterns;
      for (const auto& name : option->names) {
        patterns.push_back(sh_quoted(doc->path + ":" + name));
      }
      s += "    (" + join(patterns, "|") + ")";
      if (option->choices.empty()) {
        s += " _files; return ;;\n";
      } else {
        std::vector<std::string> choices;
        for (const auto& choice : option->choices) {
          choices.push_back(sh_quoted(choice));
        }
        s += " compadd -- " + join(choices, " ") + "; return ;;\n";
      }
    }
  }
  s += "  esac\n"
       "  local -a opts subs\n"
       "  local repos=\"\"\n"
       "  case \"$cmdpath\" in\n";
  for (const CommandDoc* doc : docs) {
    std::vector<std::string> opts;
    for (const OptionDoc* option : options_at(root, *doc)) {
      for (const auto& name : option->names) {
        opts.push_back(zsh_entry(name, option->description));
      }
    }
    std::vector<std::string> subs;
    for (const auto& sub : doc->subcommands) {
      subs.push_back(zsh_entry(sub.name, sub.summary));
    }
    for (const auto& choice : doc->positional_choices) {
      subs.push_back(zsh_entry(choice, ""));
    }
    s += "    (" + sh_quoted(doc->path) + ") opts=(" + join(opts, " ") + ") subs=(" +
         join(subs, " ") + ")" + (doc->takes_repo() ? " repos=1" : "") + " ;;\n";
  }
  s += "  esac\n"
       "  if [[ $cur == -* ]]; then\n"
       "    _describe -t options option opts\n"
       "  elif (( ${#subs} )); then\n"
       "    _describe -t commands command subs\n"
       "  elif [[ -n $repos ]]; then # the model ids in the cache\n"
       "    local -a ids\n"
       "    ids=(${(f)\"$(${words[1]} completion --model-ids 2>/dev/null)\"})\n"
       "    compadd -- $ids\n"
       "  else\n"
       "    _files\n"
       "  fi\n"
       "}\n"
       "_hfrun \"$@\"\n";
  return s;
}

std::string fish_script(const CommandDoc& root) {
  std::string s = "# fish completion for hfrun, generated by `hfrun completion fish` "
                  "(docs/shell.md)\n"
                  "function __hfrun_path\n"
                  "    set -l p ''\n"
                  "    for w in (commandline -opc)[2..-1]\n"
                  "        switch \"$p/$w\"\n"
                  "            case " +
                  join(
                      [&] {
                        std::vector<std::string> paths;
                        for (const CommandDoc* doc : all_commands(root)) {
                          if (!doc->path.empty()) {
                            paths.push_back(fish_quoted(doc->path));
                          }
                        }
                        return paths;
                      }(),
                      " ") +
                  "\n"
                  "                set p \"$p/$w\"\n"
                  "        end\n"
                  "    end\n"
                  "    echo $p\n"
                  "end\n"
                  "function __hfrun_at\n"
                  "    set -l p (__hfrun_path)\n"
                  "    test \"$p\" = \"$argv[1]\"\n"
                  "end\n"
                  "function __hfrun_at_file # @FILE: a file's content\n"
                  "    set -l cur (commandline -ct)\n"
                  "    string match -q -- '@*' $cur; or return\n"
                  "    for f in (__fish_complete_path (string sub -s 2 -- $cur))\n"
                  "        echo @$f\n"
                  "    end\n"
                  "end\n"
                  "complete -c hfrun -f\n"
                  "complete -c hfrun -a '(__hfrun_at_file)'\n";
  for (const CommandDoc* doc : all_commands(root)) {
    const std::string at = " -n " + fish_quoted("__hfrun_at " + sh_quoted(doc->path));
    for (const auto& sub : doc->subcommands) {
      s += "complete -c hfrun" + at + " -a " + fish_quoted(sub.name) + " -d " +
           fish_quoted(sub.summary) + "\n";
    }
    for (const OptionDoc* option : options_at(root, *doc)) {
      std::string line = "complete -c hfrun" + at;
      for (const auto& name : option->names) {
        line += name.starts_with("--") ? " -l " + name.substr(2) : " -s " + name.substr(1);
      }
      if (option->takes_value) {
        line += option->choices.empty() ? std::string(" -r -F -a '(__hfrun_at_file)'")
                                        : " -x -a " + fish_quoted(join(option->choices, " "));
      }
      s += line + " -d " + fish_quoted(option->description) + "\n";
    }
    if (!doc->positional_choices.empty()) {
      s += "complete -c hfrun" + at + " -a " + fish_quoted(join(doc->positional_choices, " ")) +
           "\n";
    }
    if (doc->takes_repo()) {
      s += "complete -c hfrun" + at +
           " -a '(hfrun completion --model-ids 2>/dev/null)' -d 'in the cache'\n";
    }
  }
  return s;
}

class CompletionCommand final : public Command {
public:
  void setup(CLI::App& sub) override {
    m_root = sub.get_parent();
    sub.add_option("shell", m_shell, "The shell")->check(CLI::IsMember({"bash", "zsh", "fish"}));
    // Run by the scripts themselves to complete repo arguments; not for people.
    sub.add_flag("--model-ids", m_model_ids, "Print the model ids in the cache, one a line")
        ->group("");
  }

  Result<void> run(CommandEnv& env) override {
    if (m_model_ids) {
      std::string text;
      for (const auto& repo : cache::scan_cache(env.config.hub_cache)) {
        if (repo.repo.type == hub::RepoType::model) {
          text += repo.repo.id + "\n";
        }
      }
      return env.out.result_text(text);
    }
    if (m_shell.empty()) {
      return fail(ErrorKind::usage, "which shell? bash, zsh or fish",
                  "e.g. source <(hfrun completion bash)");
    }
    HFRUN_TRY_ASSIGN(script, completion_script(describe_app(*m_root), m_shell));
    return env.out.result_text(script);
  }

private:
  const CLI::App* m_root = nullptr;
  std::string m_shell;
  bool m_model_ids = false;
};

} // namespace

bool CommandDoc::takes_repo() const {
  static const std::set<std::string> k_repo_positionals{"repo", "repos", "models", "args"};
  return std::any_of(positionals.begin(), positionals.end(),
                     [](const std::string& p) { return k_repo_positionals.contains(p); });
}

CommandDoc describe_app(const CLI::App& app) {
  return describe(app, "", "");
}

std::vector<const CommandDoc*> all_commands(const CommandDoc& root) {
  std::vector<const CommandDoc*> out;
  collect(root, out);
  return out;
}

Result<std::string> completion_script(const CommandDoc& root, std::string_view shell) {
  if (shell == "bash") {
    return bash_script(root);
  }
  if (shell == "zsh") {
    return zsh_script(root);
  }
  if (shell == "fish") {
    return fish_script(root);
  }
  return fail(ErrorKind::usage, "no completion for shell '" + std::string(shell) + "'",
              "use bash, zsh or fish");
}

std::unique_ptr<Command> make_completion_command() {
  return std::make_unique<CompletionCommand>();
}

} // namespace hfrun::cli
