#include "print_outcome.hpp"

#include <array>
#include <cctype>
#include <hfrun/tasks/codec.hpp>
#include <hfrun/tasks/render.hpp>
#include <set>
#include <utility>

namespace hfrun::cli {

namespace {

struct MediaType {
  const char* extension;
  const char* type;
};
constexpr std::array<MediaType, 11> k_media{{
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".webp", "image/webp"},
    {".gif", "image/gif"},
    {".flac", "audio/flac"},
    {".wav", "audio/wav"},
    {".mp3", "audio/mpeg"},
    {".ogg", "audio/ogg"},
    {".mp4", "video/mp4"},
    {".webm", "video/webm"},
}};

std::string lower(std::string text) {
  for (auto& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

std::string bare_type(const std::string& content_type) {
  std::string actual = lower(content_type.substr(0, content_type.find(';')));
  if (actual == "audio/x-wav" || actual == "audio/wave") {
    actual = "audio/wav";
  }
  if (actual == "audio/x-flac") {
    actual = "audio/flac";
  }
  return actual;
}

std::string type_of_extension(const std::filesystem::path& path) {
  const std::string ext = lower(path.extension().string());
  for (const auto& m : k_media) {
    if (ext == m.extension) {
      return m.type;
    }
  }
  return {};
}

std::string extension_of_type(const std::string& content_type) {
  const std::string type = bare_type(content_type);
  for (const auto& m : k_media) {
    if (type == m.type) {
      return m.extension;
    }
  }
  return ".bin";
}

// A label from a server ("vocals", "speaker 1") as a safe file-name part.
std::string file_part(std::string_view label) {
  std::string out;
  for (char c : label.substr(0, 64)) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  while (!out.empty() && out.front() == '.') {
    out.erase(0, 1);
  }
  return out;
}

// The user named a file; its extension is not trusted to match what the server sent.
void warn_on_type_mismatch(CommandEnv& env,
                           const std::filesystem::path& path,
                           const std::string& content_type) {
  if (content_type.empty()) {
    return;
  }
  const std::string expected = type_of_extension(path);
  const std::string actual = bare_type(content_type);
  if (!expected.empty() && expected != actual) {
    env.out.warn("the server sent " + actual + " but " + path.string() + " says " + expected +
                 " by its extension; the bytes are written as received");
  }
}

nlohmann::json file_entry(const tasks::BinaryResult& file, const std::filesystem::path& path) {
  nlohmann::json entry = {
      {"content_type", file.content_type}, {"bytes", file.bytes.size()}, {"path", path.string()}};
  if (!file.label.empty()) {
    entry["label"] = file.label;
  }
  return entry;
}

Result<void> print_files(CommandEnv& env, const PrintContext& context, backends::Outcome& outcome) {
  const auto& files = outcome.files;
  const auto& output_file = env.out.options().output_file;
  if (!output_file && !context.output_dir) {
    if (env.global.json) {
      return fail(ErrorKind::usage,
                  "--json with a binary result (" + std::string(context.task.name) +
                      ") needs -o PATH",
                  "the JSON then describes the file written; --output-dir DIR takes several");
    }
    if (files.size() > 1) {
      return fail(ErrorKind::usage,
                  "the reply holds " + std::to_string(files.size()) + " files (" +
                      std::string(context.task.name) + "); stdout takes one",
                  "write them all with -o PATH (PATH, PATH-<label> ...) or --output-dir DIR");
    }
    return env.out.result_binary(files.front().bytes, files.front().content_type);
  }
  const auto paths =
      result_paths(files, std::string(context.task.name), output_file, context.output_dir);
  nlohmann::json described = nlohmann::json::array();
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (output_file && i == 0) {
      warn_on_type_mismatch(env, paths[i], files[i].content_type);
    }
    HFRUN_TRY(write_file_atomically(paths[i], files[i].bytes));
    env.out.note(
        "wrote " + paths[i].string() + " (" +
        (files[i].content_type.empty() ? std::string("unknown type") : files[i].content_type) +
        ", " + human_bytes(files[i].bytes.size()) + ")");
    described.push_back(file_entry(files[i], paths[i]));
  }
  if (!env.global.json) {
    return {};
  }
  // --json: stdout gets what was written, in the task's schema: the first file's fields (one file
  // is the common case), and every file under "files".
  nlohmann::json meta = {{"task", context.task.name}};
  meta.update(described.front());
  meta["files"] = described;
  env.out.stream_text(meta.dump(2) + "\n");
  return {};
}

tasks::RenderOptions render_options(CommandEnv& env, const PrintContext& context) {
  tasks::RenderOptions options;
  options.color = env.out.color_out();
  options.width = env.out.terminal_width() > 0 ? env.out.terminal_width() : 80;
  if (context.inputs.inputs.text) {
    options.input_text = *context.inputs.inputs.text;
  }
  // TGI's details are shown when the user asked for them (details=true), not when hfrun did (to
  // learn the finish reason); --json always carries them.
  const auto& params = context.inputs.inputs.params;
  if (const auto it = params.find("details"); it != params.end()) {
    options.details = (it->is_boolean() && it->get<bool>()) || *it == "true";
  }
  return options;
}

Result<void>
print_decoded(CommandEnv& env, const PrintContext& context, const nlohmann::json& normalized) {
  if (env.global.json) {
    return env.out.result_json(normalized);
  }
  return env.out.result_text(tasks::render(context.task, normalized, render_options(env, context)));
}

} // namespace

std::vector<std::filesystem::path>
result_paths(const std::vector<tasks::BinaryResult>& files,
             const std::string& task_name,
             const std::optional<std::filesystem::path>& output_file,
             const std::optional<std::filesystem::path>& output_dir) {
  std::vector<std::filesystem::path> paths;
  std::set<std::string> taken;
  auto unique = [&taken](std::filesystem::path path) {
    const std::filesystem::path stem = path.parent_path() / path.stem();
    const std::string ext = path.extension().string();
    for (int n = 2; taken.contains(path.string()); ++n) {
      path = stem.string() + "-" + std::to_string(n) + ext;
    }
    taken.insert(path.string());
    return path;
  };
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string label = file_part(files[i].label);
    if (output_dir) {
      const std::string name = !label.empty()      ? label
                               : files.size() == 1 ? task_name
                                                   : task_name + "-" + std::to_string(i + 1);
      paths.push_back(unique(*output_dir / (name + extension_of_type(files[i].content_type))));
    } else if (i == 0) {
      paths.push_back(unique(*output_file));
    } else {
      const std::filesystem::path& base = *output_file;
      const std::string ext = base.has_extension() ? base.extension().string()
                                                   : extension_of_type(files[i].content_type);
      const std::string suffix = !label.empty() ? label : std::to_string(i + 1);
      paths.push_back(unique(base.parent_path() / (base.stem().string() + "-" + suffix + ext)));
    }
  }
  return paths;
}

Result<nlohmann::json> write_item_files(const std::vector<tasks::BinaryResult>& files,
                                        std::string_view name,
                                        const std::filesystem::path& dir) {
  if (files.empty()) {
    return fail(ErrorKind::bad_response, "the reply held no file");
  }
  std::string base = file_part(name);
  if (base.empty()) {
    base = "item";
  }
  const auto paths = result_paths(
      files, base, dir / (base + extension_of_type(files[0].content_type)), std::nullopt);
  nlohmann::json described = nlohmann::json::array();
  for (std::size_t i = 0; i < files.size(); ++i) {
    HFRUN_TRY(write_file_atomically(paths[i], files[i].bytes));
    described.push_back(file_entry(files[i], paths[i]));
  }
  nlohmann::json meta = described.front();
  meta["files"] = described;
  return meta;
}

Result<void>
print_outcome(CommandEnv& env, const PrintContext& context, backends::Outcome& outcome) {
  switch (outcome.kind) {
  case backends::Outcome::Kind::raw:
    if (outcome.streamed) {
      return {}; // the body already went to stdout as it arrived
    }
    if (tasks::is_binary_content_type(outcome.content_type)) {
      return env.out.result_binary(outcome.raw_body, outcome.content_type);
    }
    return env.out.result_text(outcome.raw_body);
  case backends::Outcome::Kind::files:
    return print_files(env, context, outcome);
  case backends::Outcome::Kind::json:
    if (!outcome.streamed) {
      return print_decoded(env, context, outcome.normalized);
    }
    if (context.printed_stream) {
      env.out.stream_text("\n");
    }
    if (env.global.json) {
      return env.out.result_json(outcome.normalized);
    }
    if (env.out.options().output_file) {
      const auto it = outcome.normalized.find(
          context.task.id == tasks::TaskId::text_generation ? "generated_text" : "content");
      return env.out.result_text(
          it != outcome.normalized.end() && it->is_string() ? it->get<std::string>() : "");
    }
    if (context.task.id == tasks::TaskId::text_generation) {
      if (const auto options = render_options(env, context); options.details) {
        // The text went out token by token; the details arrived with the last event.
        return env.out.result_text(tasks::render_generation_details(outcome.normalized, options));
      }
    }
    return {};
  }
  return {};
}

} // namespace hfrun::cli
