// PRIVATE to the cli layer: `hfrun endpoint list|show|create|update|pause|resume|scale-to-zero|
// wait|delete`, the management of Inference Endpoints (docs/endpoint.md, "Management"), as
// subcommands of `hfrun endpoint` beside its call of an endpoint by URL or NAME.
#pragma once

#include "command.hpp"

#include <hfrun/hub/endpoints.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hfrun::cli {

class EndpointManagement {
public:
  // Adds the subcommands to `hfrun endpoint`.
  void setup(CLI::App& endpoint);
  // Runs the one that was parsed; nullopt when none was (the command calls an endpoint).
  [[nodiscard]] std::optional<Result<void>> run(CommandEnv& env);

private:
  Result<void> list(CommandEnv& env);
  Result<void> show(CommandEnv& env);
  Result<void> create(CommandEnv& env);
  Result<void> update(CommandEnv& env);
  Result<void> act(CommandEnv& env, const std::string& verb);
  Result<void> wait(CommandEnv& env);
  Result<void> remove(CommandEnv& env);

  // The namespace and name of m_name (NAME or NAMESPACE/NAME, --namespace).
  Result<hub::EndpointRef> target(hub::EndpointsApi& api);
  Result<hub::EndpointSpec> spec() const;
  Result<void> print(CommandEnv& env, const hub::InferenceEndpoint& endpoint);

  struct Sub {
    std::string verb;
    CLI::App* app = nullptr;
  };
  std::vector<Sub> m_subs;
  std::string m_name;
  std::string m_namespace;
  std::string m_model;
  std::string m_revision;
  std::string m_task;
  std::string m_framework;
  std::string m_type;
  std::string m_image;
  std::string m_vendor;
  std::string m_region;
  std::string m_accelerator;
  std::string m_instance_type;
  std::string m_instance_size;
  std::optional<std::int64_t> m_min_replica;
  std::optional<std::int64_t> m_max_replica;
  std::optional<std::int64_t> m_scale_to_zero_timeout;
  std::vector<std::string> m_env;
  std::vector<std::string> m_secrets;
  bool m_wait = false;
  double m_timeout_s = 600;
  bool m_yes = false;
};

} // namespace hfrun::cli
