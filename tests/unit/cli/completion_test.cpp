// The completion scripts and the man page cover the real command line: every command, subcommand
// and option of the tree build_app builds (the one hfrun parses with) appears in each of them.
#include "cli/app_builder.hpp"
#include "cli/shell_docs.hpp"
#include "unit/cli/slurp.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <hfrun/cli/run.hpp>
#include <sstream>
#include <unistd.h>

namespace hfrun::cli {
namespace {

// The test's own walk of the CLI11 tree: each command's path ("/cache/ls"), its option names
// (its own and the globals, which may follow any command) and its subcommands' names.
struct Walked {
  std::string path;
  std::vector<std::string> options;
  std::vector<std::string> subcommands;
};

void walk(const CLI::App& app,
          const std::string& path,
          const std::vector<std::string>& globals,
          std::vector<Walked>& out) {
  Walked w{path, globals, {}};
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) {
      continue; // hidden
    }
    for (const auto& name : option->get_lnames()) {
      w.options.push_back("--" + name);
    }
    for (const auto& name : option->get_snames()) {
      w.options.push_back("-" + name);
    }
  }
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    w.subcommands.push_back(sub->get_name());
  }
  out.push_back(w);
  const std::vector<std::string>& next_globals = path.empty() ? out.back().options : globals;
  const std::vector<std::string> copied = next_globals;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    walk(*sub, path + "/" + sub->get_name(), copied, out);
  }
}

class CompletionTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_registered = build_app(m_app, m_global);
    walk(m_app, "", {}, m_walked);
    m_doc = describe_app(m_app);
  }

  // The one line of `script` that starts with `prefix`.
  static std::string line_starting(const std::string& script, const std::string& prefix) {
    std::istringstream in(script);
    std::string line;
    std::string found;
    int count = 0;
    while (std::getline(in, line)) {
      if (line.starts_with(prefix)) {
        found = line;
        ++count;
      }
    }
    return count == 1 ? found : std::string();
  }

  std::string script(const char* shell) {
    auto s = completion_script(m_doc, shell);
    EXPECT_TRUE(s) << shell;
    return s ? *s : std::string();
  }

  CLI::App m_app;
  GlobalOptions m_global;
  std::vector<RegisteredCommand> m_registered;
  std::vector<Walked> m_walked;
  CommandDoc m_doc;
};

TEST_F(CompletionTest, TheWalkSeesNestedCommands) {
  // So that the checks below cannot pass on an empty tree.
  std::vector<std::string> paths;
  for (const auto& w : m_walked) {
    paths.push_back(w.path);
  }
  for (const char* path : {"", "/cache", "/cache/ls", "/completion", "/doctor", "/serverless"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), path), paths.end()) << path;
  }
}

TEST_F(CompletionTest, BashHasEveryCommandAndOption) {
  const std::string s = script("bash");
  for (const auto& w : m_walked) {
    const std::string line = line_starting(s, "    '" + w.path + "') opts='");
    ASSERT_FALSE(line.empty()) << "no line for '" << w.path << "'";
    const auto opts_start = line.find("opts='") + 6;
    std::istringstream opts(line.substr(opts_start, line.find('\'', opts_start) - opts_start));
    std::vector<std::string> listed{std::istream_iterator<std::string>(opts), {}};
    for (const auto& option : w.options) {
      EXPECT_NE(std::find(listed.begin(), listed.end(), option), listed.end())
          << w.path << " " << option;
    }
    const auto subs_start = line.find("subs='") + 6;
    std::istringstream subs(line.substr(subs_start, line.find('\'', subs_start) - subs_start));
    std::vector<std::string> sub_listed{std::istream_iterator<std::string>(subs), {}};
    for (const auto& sub : w.subcommands) {
      EXPECT_NE(std::find(sub_listed.begin(), sub_listed.end(), sub), sub_listed.end())
          << w.path << " " << sub;
    }
  }
}

TEST_F(CompletionTest, ZshHasEveryCommandAndOption) {
  const std::string s = script("zsh");
  for (const auto& w : m_walked) {
    const std::string line = line_starting(s, "    ('" + w.path + "') opts=(");
    ASSERT_FALSE(line.empty()) << "no line for '" << w.path << "'";
    for (const auto& option : w.options) {
      EXPECT_NE(line.find("'" + option + ":"), std::string::npos) << w.path << " " << option;
    }
    for (const auto& sub : w.subcommands) {
      EXPECT_NE(line.find("'" + sub + ":"), std::string::npos) << w.path << " " << sub;
    }
  }
}

TEST_F(CompletionTest, FishHasEveryCommandAndOption) {
  const std::string s = script("fish");
  for (const auto& w : m_walked) {
    const std::string at = "complete -c hfrun -n '__hfrun_at \\'" + w.path + "\\''";
    for (const auto& option : w.options) {
      const std::string flag =
          option.starts_with("--") ? " -l " + option.substr(2) : " -s " + option.substr(1);
      bool found = false;
      std::istringstream in(s);
      for (std::string line; std::getline(in, line);) {
        found = found ||
                (line.starts_with(at + " ") && (line + " ").find(flag + " ") != std::string::npos);
      }
      EXPECT_TRUE(found) << w.path << " " << option;
    }
    for (const auto& sub : w.subcommands) {
      EXPECT_NE(s.find(at + " -a '" + sub + "'"), std::string::npos) << w.path << " " << sub;
    }
  }
}

TEST_F(CompletionTest, OptionValuesComeFromTheirSets) {
  // --color is IsMember({"auto", "always", "never"}) in app.cpp.
  EXPECT_NE(script("bash").find("'/doctor:--color') COMPREPLY=($(compgen -W 'auto always never'"),
            std::string::npos);
  EXPECT_NE(script("zsh").find("('/doctor:--color') compadd -- 'auto' 'always' 'never'; return"),
            std::string::npos);
  EXPECT_NE(script("fish").find(" -l color -x -a 'auto always never'"), std::string::npos);
}

TEST_F(CompletionTest, PositionalSetsAreOffered) {
  // `hfrun completion <TAB>`: its shell argument is IsMember({"bash", "zsh", "fish"}).
  EXPECT_NE(line_starting(script("bash"), "    '/completion') opts=").find(" subs='bash zsh fish'"),
            std::string::npos);
  EXPECT_NE(script("fish").find("complete -c hfrun -n '__hfrun_at \\'/completion\\'' -a "
                                "'bash zsh fish'\n"),
            std::string::npos);
}

TEST_F(CompletionTest, RepoArgumentsCompleteCachedModelIds) {
  EXPECT_NE(line_starting(script("bash"), "    '/download') opts=").find(" repos=1 ;;"),
            std::string::npos);
  EXPECT_NE(script("fish").find("complete -c hfrun -n '__hfrun_at \\'/download\\'' -a "
                                "'(hfrun completion --model-ids 2>/dev/null)'"),
            std::string::npos);
}

TEST_F(CompletionTest, UnknownShellIsAUsageError) {
  auto s = completion_script(m_doc, "powershell");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::usage);
}

// The scripts parse in their shell (each skipped where that shell is not installed).
void expect_parses(const std::string& text, const std::string& shell, const std::string& check) {
  if (std::system(("command -v " + shell + " >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << shell << " is not installed (scripts/install-deps.sh installs it)";
  }
  const auto file = std::filesystem::temp_directory_path() /
                    ("hfrun-completion-" + std::to_string(::getpid()) + "." + shell);
  std::ofstream(file) << text;
  const std::string command = shell + " " + check + " " + file.string() + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    output += buffer;
  }
  const int status = ::pclose(pipe);
  std::filesystem::remove(file);
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "");
}

TEST_F(CompletionTest, BashScriptParses) {
  expect_parses(script("bash"), "bash", "-n");
}

TEST_F(CompletionTest, ZshScriptParses) {
  expect_parses(script("zsh"), "zsh", "-n");
}

TEST_F(CompletionTest, FishScriptParses) {
  expect_parses(script("fish"), "fish", "--no-execute");
}

TEST_F(CompletionTest, ManPageHasEveryCommandOptionAndExample) {
  const std::string page = man_page(m_doc, "9.9.9");
  EXPECT_TRUE(page.find(".TH HFRUN 1 \"\" \"hfrun 9.9.9\"") != std::string::npos);
  auto roff_name = [](const std::string& name) {
    std::string out;
    for (const char c : name) {
      out += c == '-' ? std::string("\\-") : std::string(1, c);
    }
    return "\\fB" + out + "\\fR";
  };
  for (const auto& w : m_walked) {
    if (w.path.empty()) {
      continue;
    }
    std::string words = w.path.substr(1);
    std::replace(words.begin(), words.end(), '/', ' ');
    const auto section = page.find(".SS \"hfrun " + words + "\"\n");
    ASSERT_NE(section, std::string::npos) << words;
    const auto next = page.find(".SS ", section + 1);
    const std::string body = page.substr(section, next - section);
    // The globals are listed once, in GLOBAL OPTIONS; a command's section lists its own.
    const Walked& root = m_walked.front();
    for (const auto& option : w.options) {
      const bool global =
          std::find(root.options.begin(), root.options.end(), option) != root.options.end();
      const std::string& where = global ? page : body;
      EXPECT_NE(where.find(roff_name(option)), std::string::npos) << words << " " << option;
    }
  }
  for (const auto& entry : command_table()) {
    const std::string example = entry.example;
    const std::string first = example.substr(0, example.find('\n'));
    EXPECT_NE(page.find(first), std::string::npos) << entry.name;
  }
}

// What the scripts run to complete repo arguments: the model ids in HF_HUB_CACHE, one a line,
// datasets and Spaces left out.
TEST(CompletionModelIds, ListsTheCachedModels) {
  const auto home = std::filesystem::temp_directory_path() /
                    ("hfrun-completion-home-" + std::to_string(::getpid()));
  for (const char* repo : {"models--org--tiny", "models--gpt2", "datasets--org--data"}) {
    std::filesystem::create_directories(home / "hub" / repo / "snapshots");
  }
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  Io io;
  io.out = out;
  io.err = err;
  const int code =
      run_with({"completion", "--model-ids"}, io, config::map_env({{"HF_HOME", home.string()}}));
  const std::string printed = test::slurp(out);
  const std::string errors = test::slurp(err);
  std::fclose(out);
  std::fclose(err);
  std::filesystem::remove_all(home);
  EXPECT_EQ(code, 0) << errors;
  EXPECT_EQ(printed, "gpt2\norg/tiny\n");
}

} // namespace
} // namespace hfrun::cli
