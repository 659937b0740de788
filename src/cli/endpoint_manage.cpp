#include "endpoint_manage.hpp"

#include <algorithm>
#include <cstdio>

namespace hfrun::cli {

namespace {

using hub::EndpointsApi;
using hub::InferenceEndpoint;

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

Result<std::vector<std::pair<std::string, std::string>>>
key_values(const std::vector<std::string>& raw, const char* option) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : raw) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(ErrorKind::usage, std::string(option) + " wants KEY=VALUE, got '" + item + "'");
    }
    out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

std::string replicas(const InferenceEndpoint& e) {
  if (!e.ready_replica && !e.target_replica) {
    return "";
  }
  return std::to_string(e.ready_replica.value_or(0)) + "/" +
         std::to_string(e.target_replica.value_or(0));
}

// Columns padded to their widest cell, the last one not padded.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - row[i].size() + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    out += line + "\n";
  }
  if (!out.empty()) {
    out.pop_back();
  }
  return out;
}

std::string describe(const InferenceEndpoint& e) {
  std::vector<std::vector<std::string>> rows;
  const auto add = [&rows](const char* key, const std::string& value) {
    if (!value.empty()) {
      rows.push_back({std::string(key) + ":", value});
    }
  };
  add("name", e.namespace_name + "/" + e.name);
  add("state", e.state + (e.message.empty() ? "" : " (" + e.message + ")"));
  add("url", e.url.empty() ? std::string("(not deployed yet)") : e.url);
  add("model", e.repository + (e.revision.empty() ? "" : "@" + e.revision));
  add("task", e.task);
  add("framework", e.framework);
  add("image", e.image + (e.image_url.empty() ? "" : " " + e.image_url));
  add("type", e.type);
  add("provider", e.vendor + (e.region.empty() ? "" : " " + e.region));
  add("compute", e.accelerator + " " + e.instance_type + " " + e.instance_size);
  if (e.min_replica || e.max_replica) {
    add("replicas", "min " + std::to_string(e.min_replica.value_or(0)) + ", max " +
                        std::to_string(e.max_replica.value_or(0)) +
                        (replicas(e).empty() ? "" : ", ready " + replicas(e)));
  }
  add("health route", e.health_route);
  add("created", e.created_at);
  add("updated", e.updated_at);
  return table(rows);
}

} // namespace

void EndpointManagement::setup(CLI::App& endpoint) {
  const auto add = [&](const char* verb, const char* summary, const char* example) {
    CLI::App* app = endpoint.add_subcommand(verb, summary);
    app->fallthrough();
    app->footer(std::string("Example:\n  ") + example);
    m_subs.push_back({verb, app});
    return app;
  };
  const auto name_option = [&](CLI::App* app) {
    app->add_option("name", m_name, "The endpoint: NAME or NAMESPACE/NAME")->required();
    app->add_option("--namespace", m_namespace,
                    "The user or organization (default: the token's user)");
  };
  CLI::App* list = add("list", "The namespace's Inference Endpoints: name, state, model, URL",
                       "hfrun endpoint list\n  hfrun endpoint list --namespace my-org --json");
  list->add_option("--namespace", m_namespace,
                   "The user or organization (default: the token's user)");

  name_option(add("show", "One endpoint: state, URL, model, image, compute",
                  "hfrun endpoint show my-endpoint --json"));

  const auto spec_options = [&](CLI::App* app) {
    app->add_option("--model", m_model, "The model repository, e.g. openai-community/gpt2");
    app->add_option("--revision", m_revision, "The model's revision (branch, tag or commit)");
    app->add_option("--task", m_task, "The task, e.g. text-generation (the toolkit needs it)");
    app->add_option("--framework", m_framework, "The framework (default: pytorch)");
    app->add_option("--image", m_image,
                    "The server: toolkit (default), tgi, tei, vllm, sglang, llamacpp, or a "
                    "container image URL");
    app->add_option("--vendor", m_vendor, "Cloud vendor (default: aws)");
    app->add_option("--region", m_region, "Region (default: us-east-1)");
    app->add_option("--accelerator", m_accelerator, "cpu or gpu (default: cpu)");
    app->add_option("--instance-type", m_instance_type, "Instance type (default: intel-icl)");
    app->add_option("--instance-size", m_instance_size, "Instance size (default: x2)");
    app->add_option("--min-replica", m_min_replica, "Fewest replicas (0 allows scale to zero)")
        ->check(CLI::NonNegativeNumber);
    app->add_option("--max-replica", m_max_replica, "Most replicas")->check(CLI::PositiveNumber);
    app->add_option("--scale-to-zero-timeout", m_scale_to_zero_timeout,
                    "Minutes without requests before scaling to zero")
        ->check(CLI::PositiveNumber);
    app->add_option("--type", m_type,
                    "Who may call it: public, protected (default), authenticated, private")
        ->check(CLI::IsMember({"public", "protected", "authenticated", "private"}));
    app->add_option("--env", m_env, "Environment variable KEY=VALUE (repeatable)");
    app->add_option("--secret", m_secrets, "Secret environment variable KEY=VALUE (repeatable)");
    app->add_flag("--wait", m_wait, "Wait until it serves (--timeout)");
    app->add_option("--timeout", m_timeout_s, "Seconds --wait waits (default 600)")
        ->check(CLI::NonNegativeNumber);
  };
  CLI::App* create =
      add("create", "Create an endpoint (--model ID; --wait until it serves)",
          "hfrun endpoint create my-gpt2 --model openai-community/gpt2 --task "
          "text-generation --wait\n"
          "  hfrun endpoint create my-llama --model meta-llama/Llama-3.1-8B-Instruct "
          "--image tgi --accelerator gpu --instance-type nvidia-a10g --instance-size "
          "x1");
  name_option(create);
  spec_options(create);
  CLI::App* update =
      add("update", "Change an endpoint: only the options given change",
          "hfrun endpoint update my-gpt2 --min-replica 0 --scale-to-zero-timeout 15");
  name_option(update);
  spec_options(update);
  name_option(add("pause", "Pause an endpoint (no cost, no requests until resumed)",
                  "hfrun endpoint pause my-endpoint"));
  name_option(add("resume", "Resume a paused or scaled-to-zero endpoint",
                  "hfrun endpoint resume my-endpoint"));
  name_option(add("scale-to-zero", "Scale an endpoint to zero replicas (the next request wakes it)",
                  "hfrun endpoint scale-to-zero my-endpoint"));
  CLI::App* wait = add("wait",
                       "Wait until an endpoint serves (exit 7 at once when paused or "
                       "failed)",
                       "hfrun endpoint wait my-endpoint --timeout 900");
  name_option(wait);
  wait->add_option("--timeout", m_timeout_s, "Seconds to wait (default 600)")
      ->check(CLI::NonNegativeNumber);
  CLI::App* remove = add("delete", "Delete an endpoint (asks first on a terminal; --yes)",
                         "hfrun endpoint delete my-endpoint --yes");
  name_option(remove);
  remove->add_flag("--yes,-y", m_yes, "Do not ask for confirmation");
}

std::optional<Result<void>> EndpointManagement::run(CommandEnv& env) {
  for (const auto& sub : m_subs) {
    if (!sub.app->parsed()) {
      continue;
    }
    if (sub.verb == "list") {
      return list(env);
    }
    if (sub.verb == "show") {
      return show(env);
    }
    if (sub.verb == "create") {
      return create(env);
    }
    if (sub.verb == "update") {
      return update(env);
    }
    if (sub.verb == "wait") {
      return wait(env);
    }
    if (sub.verb == "delete") {
      return remove(env);
    }
    return act(env, sub.verb); // pause, resume, scale-to-zero
  }
  return std::nullopt;
}

Result<hub::EndpointRef> EndpointManagement::target(EndpointsApi& api) {
  HFRUN_TRY_ASSIGN(ref, hub::parse_endpoint_ref(m_name));
  if (!ref.namespace_name.empty() && !m_namespace.empty() && ref.namespace_name != m_namespace) {
    return fail(ErrorKind::usage, "the name says namespace " + ref.namespace_name +
                                      ", --namespace says " + m_namespace);
  }
  HFRUN_TRY_ASSIGN(
      ns, api.resolve_namespace(ref.namespace_name.empty() ? m_namespace : ref.namespace_name));
  ref.namespace_name = ns;
  return ref;
}

Result<hub::EndpointSpec> EndpointManagement::spec() const {
  hub::EndpointSpec s;
  s.repository = m_model;
  s.revision = m_revision;
  s.task = m_task;
  s.framework = m_framework;
  s.type = m_type;
  s.image = m_image;
  s.vendor = m_vendor;
  s.region = m_region;
  s.accelerator = m_accelerator;
  s.instance_type = m_instance_type;
  s.instance_size = m_instance_size;
  s.min_replica = m_min_replica;
  s.max_replica = m_max_replica;
  s.scale_to_zero_timeout = m_scale_to_zero_timeout;
  HFRUN_TRY_ASSIGN(env, key_values(m_env, "--env"));
  HFRUN_TRY_ASSIGN(secrets, key_values(m_secrets, "--secret"));
  s.env = std::move(env);
  s.secrets = std::move(secrets);
  return s;
}

Result<void> EndpointManagement::print(CommandEnv& env, const InferenceEndpoint& endpoint) {
  if (env.global.json || env.global.raw) {
    return env.out.result_json(endpoint.raw);
  }
  return env.out.result_text(describe(endpoint));
}

Result<void> EndpointManagement::list(CommandEnv& env) {
  EndpointsApi api(env.client);
  HFRUN_TRY_ASSIGN(ns, api.resolve_namespace(m_namespace));
  HFRUN_TRY_ASSIGN(endpoints, api.list(ns));
  if (env.global.json || env.global.raw) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& e : endpoints) {
      items.push_back(e.raw);
    }
    return env.out.result_json(items);
  }
  if (endpoints.empty()) {
    return env.out.result_text("no endpoints in " + ns +
                               " (`hfrun endpoint create NAME --model ID` makes one)");
  }
  std::vector<std::vector<std::string>> rows{{"NAME", "STATE", "MODEL", "IMAGE", "TASK", "URL"}};
  for (const auto& e : endpoints) {
    rows.push_back({e.namespace_name + "/" + e.name, e.state, e.repository, e.image, e.task,
                    e.url.empty() ? "-" : e.url});
  }
  return env.out.result_text(table(rows));
}

Result<void> EndpointManagement::show(CommandEnv& env) {
  EndpointsApi api(env.client);
  HFRUN_TRY_ASSIGN(ref, target(api));
  HFRUN_TRY_ASSIGN(endpoint, api.get(ref.namespace_name, ref.name));
  return print(env, endpoint);
}

Result<void> EndpointManagement::create(CommandEnv& env) {
  EndpointsApi api(env.client);
  HFRUN_TRY_ASSIGN(wanted, spec());
  HFRUN_TRY_ASSIGN(ref, hub::parse_endpoint_ref(m_name));
  wanted.name = ref.name;
  // The payload is checked before the namespace lookup, so a bad option costs no request.
  HFRUN_TRY_ASSIGN(payload, hub::build_create_payload(wanted));
  HFRUN_TRY_ASSIGN(full, target(api));
  HFRUN_TRY_ASSIGN(created, api.create(full.namespace_name, payload));
  env.out.note("created endpoint " + full.namespace_name + "/" + created.name + " (" +
               created.state + ")");
  if (m_wait) {
    HFRUN_TRY_ASSIGN(ready, hub::wait_for_endpoint(env.client, created, to_ms(m_timeout_s),
                                                   hub::WaitUntil::running));
    return print(env, ready);
  }
  return print(env, created);
}

Result<void> EndpointManagement::update(CommandEnv& env) {
  EndpointsApi api(env.client);
  HFRUN_TRY_ASSIGN(wanted, spec());
  HFRUN_TRY_ASSIGN(payload, hub::build_update_payload(wanted));
  HFRUN_TRY_ASSIGN(ref, target(api));
  HFRUN_TRY_ASSIGN(updated, api.update(ref.namespace_name, ref.name, payload));
  if (m_wait) {
    HFRUN_TRY_ASSIGN(ready, hub::wait_for_endpoint(env.client, updated, to_ms(m_timeout_s),
                                                   hub::WaitUntil::running));
    return print(env, ready);
  }
  return print(env, updated);
}

Result<void> EndpointManagement::act(CommandEnv& env, const std::string& verb) {
  EndpointsApi api(env.client);
  HFRUN_TRY_ASSIGN(ref, target(api));
  auto done = api.act(ref.namespace_name, ref.name, verb);
  if (!done && verb == "resume" && done.error().kind == ErrorKind::rejected &&
      done.error().server_message.find("already running") != std::string::npos) {
    // What the user wanted is true already (huggingface_hub's running_ok).
    env.out.note("endpoint " + ref.namespace_name + "/" + ref.name + " is already running");
    HFRUN_TRY_ASSIGN(current, api.get(ref.namespace_name, ref.name));
    return print(env, current);
  }
  HFRUN_TRY_ASSIGN(endpoint, std::move(done));
  return print(env, endpoint);
}

Result<void> EndpointManagement::wait(CommandEnv& env) {
  EndpointsApi api(env.client);
  HFRUN_TRY_ASSIGN(ref, target(api));
  HFRUN_TRY_ASSIGN(endpoint, api.get(ref.namespace_name, ref.name));
  HFRUN_TRY_ASSIGN(ready, hub::wait_for_endpoint(env.client, endpoint, to_ms(m_timeout_s),
                                                 hub::WaitUntil::running));
  if (hub::endpoint_action(ready) == hub::EndpointAction::wake) {
    env.out.note("endpoint " + ref.namespace_name + "/" + ref.name +
                 " is scaled to zero: the next request wakes it (`hfrun endpoint " +
                 ref.namespace_name + "/" + ref.name + " ...` waits for that)");
  }
  return print(env, ready);
}

Result<void> EndpointManagement::remove(CommandEnv& env) {
  EndpointsApi api(env.client);
  HFRUN_TRY_ASSIGN(ref, target(api));
  const std::string id = ref.namespace_name + "/" + ref.name;
  if (!m_yes && !env.global.dry_run) {
    if (!env.out.io().in_is_tty) {
      return fail(ErrorKind::usage, "hfrun endpoint delete " + id +
                                        " deletes it for good; not on a terminal: pass --yes");
    }
    if (!ask_yes_no(env.out, "delete endpoint " + id + "? [y/N] ")) {
      if (env.global.json) {
        return env.out.result_json({{"deleted", nullptr}, {"kept", id}});
      }
      return env.out.result_text("nothing deleted");
    }
  }
  HFRUN_TRY(api.remove(ref.namespace_name, ref.name));
  if (env.global.json) {
    return env.out.result_json({{"deleted", id}});
  }
  return env.out.result_text("deleted endpoint " + id);
}

} // namespace hfrun::cli
