// The endpoints part's state: the Inference Endpoints of the world ("inference_endpoints") and
// those created since, each with its state machine (docs/emulator.md, "Inference Endpoints"). The
// management API changes them; the data-plane proxy reads them. Thread-safe.
//
// States advance lazily: every change stores a schedule of (time, state) steps, and the state now
// is the last step whose time has come. No thread runs in the background.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emulator {

// "inference_endpoints_timing" of the world, in milliseconds.
struct EndpointTiming {
  int pending_ms = 300;      // pending -> initializing (or failed) after a create
  int initializing_ms = 700; // initializing -> running after a create or a resume
  int updating_ms = 500;     // updating -> running (or updateFailed) after an update
  int cold_start_ms = 1500;  // a woken scaledToZero endpoint's initializing, unless it says
};

// An answer of the management API: an HTTP status and either the endpoint JSON or an error
// message.
struct EndpointReply {
  int status = 200;
  nlohmann::json body; // the endpoint JSON on success
  std::string error;   // the message on failure
};

// What the proxy needs to know about one endpoint now.
struct EndpointView {
  std::string state;
  std::string type;
  nlohmann::json doc; // the endpoint JSON (as the API shows it)
};

class EndpointStates {
public:
  using Clock = std::chrono::steady_clock;
  // Reads "inference_endpoints" and "inference_endpoints_timing" of the world.
  explicit EndpointStates(const nlohmann::json& world);

  // The commit of a world model, or nullopt when the world has no such model (the endpoint then
  // fails to deploy).
  using CommitOf = std::function<std::optional<std::string>(const std::string& repository)>;
  // Who acts: the world user ({"name", "id"?, ...}).
  struct Actor {
    std::string id;
    std::string name;
  };

  // Once the roles' URLs are known: the base of status.url ("{endpoints_url}/endpoints"), and
  // the world endpoints' model.revision where the world entry gives none.
  void start(std::string url_base, const CommitOf& commit_of);

  [[nodiscard]] nlohmann::json list(const std::string& ns);
  [[nodiscard]] EndpointReply get(const std::string& ns, const std::string& name);
  [[nodiscard]] EndpointReply create(const std::string& ns,
                                     const nlohmann::json& payload,
                                     const Actor& actor,
                                     const CommitOf& commit_of);
  [[nodiscard]] EndpointReply update(const std::string& ns,
                                     const std::string& name,
                                     const nlohmann::json& payload,
                                     const Actor& actor,
                                     const CommitOf& commit_of);
  [[nodiscard]] EndpointReply remove(const std::string& ns, const std::string& name);
  [[nodiscard]] EndpointReply
  pause(const std::string& ns, const std::string& name, const Actor& actor);
  [[nodiscard]] EndpointReply
  resume(const std::string& ns, const std::string& name, const Actor& actor);
  [[nodiscard]] EndpointReply
  scale_to_zero(const std::string& ns, const std::string& name, const Actor& actor);

  // The proxy's view, or nullopt for an unknown endpoint. A scaledToZero endpoint is woken
  // (initializing for its cold start) when `wake` is set.
  [[nodiscard]] std::optional<EndpointView>
  visit(const std::string& ns, const std::string& name, bool wake);

private:
  struct Endpoint {
    std::string ns;
    nlohmann::json doc; // the endpoint JSON without the state-dependent status fields
    std::vector<std::pair<Clock::time_point, std::string>> schedule; // non-empty, by time
    bool deployed = false; // was running once: status.url is set from then on
    int cold_start_ms = 0;
    bool repo_ok = true; // the world has model.repository (else deploys fail)
  };
  [[nodiscard]] static std::string state_now(Endpoint& e, Clock::time_point now);
  [[nodiscard]] nlohmann::json view(Endpoint& e, Clock::time_point now) const;
  [[nodiscard]] Endpoint* find(const std::string& ns, const std::string& name);
  void touch(Endpoint& e, const Actor& actor) const;

  std::mutex m_mutex;
  EndpointTiming m_timing;
  std::string m_url_base;
  std::vector<Endpoint> m_endpoints; // creation order
};

// Whether the world user `user` may manage (and call a private endpoint of) namespace `ns`: its
// own name or one of its orgs.
[[nodiscard]] bool user_owns_namespace(const nlohmann::json& user, std::string_view ns);

// The flavour server spec (see serve_flavor in context.hpp) of an endpoint JSON: from model.image's
// key, model.repository and model.task.
[[nodiscard]] nlohmann::json flavor_spec(const nlohmann::json& endpoint);

// Now as RFC 3339 with milliseconds, e.g. "2026-01-02T03:04:05.678Z".
[[nodiscard]] std::string rfc3339_now();

} // namespace emulator
