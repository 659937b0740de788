#include "endpoint_state.hpp"

#include "content.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace emulator {

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::array<std::string_view, 4> k_types = {"public", "protected", "authenticated",
                                                     "private"};
// model.image variants (docs/emulator.md, "Inference Endpoints", "Management API").
constexpr std::array<std::string_view, 11> k_images = {
    "huggingface", "huggingfaceNeuron", "custom", "tgi",      "tgiNeuron", "tei",
    "vLLM",        "vLLMNeuron",        "sGLang", "llamacpp", "hfServe"};

std::string str_at(const json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) {
    return j[key].get<std::string>();
  }
  return {};
}

const json* obj_at(const json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_object()) {
    return &j[key];
  }
  return nullptr;
}

bool one_of(std::string_view v, const auto& list) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// Like the Endpoints UI's rule: a DNS label of at most 32 characters.
bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 32 || s.front() == '-' || s.back() == '-') {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string user_id(const std::string& name) {
  // The same id the Hub part's whoami gives a world user without an "id".
  return sha1_hex("user:" + name).substr(0, 24);
}

std::string message_for(const std::string& state) {
  if (state == "pending") {
    return "Endpoint waiting to be scheduled";
  }
  if (state == "initializing") {
    return "Endpoint is initializing";
  }
  if (state == "running") {
    return "Endpoint is ready";
  }
  if (state == "failed") {
    return "Endpoint failed to deploy";
  }
  if (state == "updating") {
    return "Endpoint waiting for the update";
  }
  if (state == "updateFailed") {
    return "Endpoint failed to update";
  }
  if (state == "paused") {
    return "Endpoint is paused";
  }
  return "Endpoint is scaled to zero";
}

std::string image_key(const json& model) {
  const auto* image = obj_at(model, "image");
  if (image == nullptr || image->empty()) {
    return "huggingface";
  }
  return image->begin().key();
}

// The image's own healthRoute, else "/health" (the toolkit, TGI, TEI, vLLM and llama.cpp all
// answer it).
std::string health_route(const json& model) {
  const auto* image = obj_at(model, "image");
  if (image != nullptr && !image->empty() && image->begin()->is_object()) {
    const auto route = str_at(*image->begin(), "healthRoute");
    if (!route.empty()) {
      return route;
    }
  }
  return "/health";
}

// Copies `src` into `dst`: objects recursively, null values skipped (the update payload sends only
// what is set); model.image is a union and replaced whole.
void merge_set_fields(json& dst, const json& src) {
  for (const auto& [key, value] : src.items()) {
    if (value.is_null() || key == "secrets") {
      continue;
    }
    if (value.is_object() && key != "image" && dst.contains(key) && dst[key].is_object()) {
      merge_set_fields(dst[key], value);
    } else {
      dst[key] = value;
    }
  }
}

// An error message for a compute/provider/model/type that the API would refuse, or empty.
std::string check_config(const json& doc) {
  const auto type = str_at(doc, "type");
  if (!one_of(type, k_types)) {
    return "type must be one of public, protected, authenticated, private";
  }
  const auto* provider = obj_at(doc, "provider");
  if (provider == nullptr || str_at(*provider, "vendor").empty() ||
      str_at(*provider, "region").empty()) {
    return "provider.vendor and provider.region are required";
  }
  const auto* compute = obj_at(doc, "compute");
  if (compute == nullptr || str_at(*compute, "accelerator").empty() ||
      str_at(*compute, "instanceType").empty() || str_at(*compute, "instanceSize").empty()) {
    return "compute.accelerator, compute.instanceType and compute.instanceSize are required";
  }
  const auto* scaling = obj_at(*compute, "scaling");
  const auto replicas = [&](const char* key) -> long long {
    if (scaling == nullptr || !scaling->contains(key) || !(*scaling)[key].is_number_integer()) {
      return -1;
    }
    return (*scaling)[key].get<long long>();
  };
  const auto min = replicas("minReplica");
  const auto max = replicas("maxReplica");
  if (min < 0 || max < 1 || min > max) {
    return "compute.scaling needs minReplica and maxReplica with 0 <= minReplica <= maxReplica and "
           "maxReplica >= 1";
  }
  const auto* model = obj_at(doc, "model");
  if (model == nullptr || str_at(*model, "repository").empty()) {
    return "model.repository is required";
  }
  if (model->contains("image")) {
    const auto* image = obj_at(*model, "image");
    if (image == nullptr || image->size() != 1 || !one_of(image->begin().key(), k_images) ||
        !image->begin()->is_object()) {
      return "model.image must be an object with one key of huggingface, huggingfaceNeuron, "
             "custom, tgi, tgiNeuron, tei, vLLM, vLLMNeuron, sGLang, llamacpp, hfServe";
    }
  }
  if (model->contains("task") && !(*model)["task"].is_string()) {
    return "model.task must be a string";
  }
  return {};
}

json default_config() {
  return {{"accountId", nullptr},
          {"type", "authenticated"},
          {"provider", {{"vendor", "aws"}, {"region", "us-east-1"}}},
          {"compute",
           {{"accelerator", "cpu"},
            {"instanceType", "intel-icl"},
            {"instanceSize", "x2"},
            {"scaling", {{"minReplica", 0}, {"maxReplica", 1}, {"scaleToZeroTimeout", 15}}}}},
          {"model", {{"framework", "pytorch"}, {"revision", nullptr}}}};
}

EndpointReply error(int status, std::string message) {
  return {status, json::object(), std::move(message)};
}

} // namespace

std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 96> buf{}; // room for any int fields (-Wformat-truncation)
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf.data();
}

bool user_owns_namespace(const json& user, std::string_view ns) {
  if (str_at(user, "name") == ns) {
    return true;
  }
  if (user.contains("orgs") && user["orgs"].is_array()) {
    for (const auto& org : user["orgs"]) {
      if (org.is_string() && org.get<std::string>() == ns) {
        return true;
      }
    }
  }
  return false;
}

json flavor_spec(const json& endpoint) {
  const json no_model = json::object();
  const auto* model_ptr = obj_at(endpoint, "model");
  const auto& model = model_ptr != nullptr ? *model_ptr : no_model;
  const auto key = image_key(model);
  const auto task = str_at(model, "task");
  std::string flavor = "custom";
  if (key == "huggingface" || key == "huggingfaceNeuron") {
    flavor = "toolkit";
  } else if (key == "tgi" || key == "tgiNeuron") {
    flavor = "tgi";
  } else if (key == "tei") {
    flavor = "tei";
  } else if (key == "vLLM" || key == "vLLMNeuron") {
    flavor = "vllm";
  } else if (key == "sGLang") {
    flavor = "sglang";
  } else if (key == "llamacpp") {
    flavor = "llamacpp";
  } else if (key == "custom") {
    // Older endpoints show TGI and TEI as custom images (docs/emulator.md, "The proxy").
    const auto url = str_at(model["image"]["custom"], "url");
    if (url.find("text-generation-inference") != std::string::npos) {
      flavor = "tgi";
    } else if (url.find("text-embeddings-inference") != std::string::npos) {
      flavor = "tei";
    }
  }
  json spec = {{"name", str_at(endpoint, "name")},
               {"flavor", flavor},
               {"model", str_at(model, "repository")}};
  if (!task.empty()) {
    spec["task"] = task;
  }
  if (flavor == "tei") {
    if (task == "text-classification") {
      spec["model_type"] = "classifier";
    } else if (task == "text-ranking") {
      spec["model_type"] = "reranker";
    } else {
      spec["model_type"] = "embedding";
    }
  }
  return spec;
}

EndpointStates::EndpointStates(const json& world) {
  if (const auto* t = obj_at(world, "inference_endpoints_timing")) {
    const auto ms = [&](const char* key, int fallback) {
      return t->contains(key) && (*t)[key].is_number_integer() && (*t)[key].get<int>() >= 0
                 ? (*t)[key].get<int>()
                 : fallback;
    };
    m_timing.pending_ms = ms("pending_ms", m_timing.pending_ms);
    m_timing.initializing_ms = ms("initializing_ms", m_timing.initializing_ms);
    m_timing.updating_ms = ms("updating_ms", m_timing.updating_ms);
    m_timing.cold_start_ms = ms("cold_start_ms", m_timing.cold_start_ms);
  }
  if (!world.contains("inference_endpoints") || !world["inference_endpoints"].is_array()) {
    return;
  }
  const auto now = Clock::now();
  const auto created = rfc3339_now();
  for (const auto& entry : world["inference_endpoints"]) {
    if (!entry.is_object() || str_at(entry, "name").empty()) {
      continue;
    }
    Endpoint e;
    e.ns = entry.contains("namespace") ? str_at(entry, "namespace") : "hfrun-tester";
    e.doc = default_config();
    json given = entry;
    given.erase("namespace");
    given.erase("state");
    given.erase("cold_start_ms");
    merge_set_fields(e.doc, given);
    if (!obj_at(e.doc["model"], "image")) {
      e.doc["model"]["image"] = {{"huggingface", json::object()}};
    }
    e.doc["healthRoute"] = health_route(e.doc["model"]);
    const json by = {{"id", user_id(e.ns)}, {"name", e.ns}};
    auto& status = e.doc["status"];
    if (!status.is_object()) {
      status = json::object();
    }
    status["createdAt"] = str_at(status, "createdAt").empty() ? json(created) : status["createdAt"];
    status["updatedAt"] = str_at(status, "updatedAt").empty() ? json(created) : status["updatedAt"];
    status["createdBy"] = obj_at(status, "createdBy") ? status["createdBy"] : by;
    status["updatedBy"] = obj_at(status, "updatedBy") ? status["updatedBy"] : by;
    status["private"] = nullptr;
    const auto state = entry.contains("state") ? str_at(entry, "state") : "running";
    // Transient world states move on as after a create, a resume or an update.
    const auto pending_end = now + std::chrono::milliseconds(m_timing.pending_ms);
    if (state == "pending") {
      e.schedule = {{now, "pending"},
                    {pending_end, "initializing"},
                    {pending_end + std::chrono::milliseconds(m_timing.initializing_ms), "running"}};
    } else if (state == "initializing") {
      e.schedule = {{now, "initializing"},
                    {now + std::chrono::milliseconds(m_timing.initializing_ms), "running"}};
    } else if (state == "updating") {
      e.schedule = {{now, "updating"},
                    {now + std::chrono::milliseconds(m_timing.updating_ms), "running"}};
    } else {
      e.schedule = {{now, state}};
    }
    // Every world state but failed, pending and initializing has run once (paused and
    // scaledToZero keep their URL).
    e.deployed = state != "failed" && state != "pending" && state != "initializing";
    e.cold_start_ms = entry.contains("cold_start_ms") && entry["cold_start_ms"].is_number_integer()
                          ? entry["cold_start_ms"].get<int>()
                          : m_timing.cold_start_ms;
    m_endpoints.push_back(std::move(e));
  }
}

void EndpointStates::start(std::string url_base, const CommitOf& commit_of) {
  const std::lock_guard lock(m_mutex);
  m_url_base = std::move(url_base);
  for (auto& e : m_endpoints) {
    const auto commit = commit_of(str_at(e.doc["model"], "repository"));
    e.repo_ok = commit.has_value();
    if (e.doc["model"]["revision"].is_null() && commit) {
      e.doc["model"]["revision"] = *commit;
    }
  }
}

std::string EndpointStates::state_now(Endpoint& e, Clock::time_point now) {
  std::string state = e.schedule.front().second;
  for (const auto& [at, s] : e.schedule) {
    if (at > now) {
      break;
    }
    state = s;
    if (s == "running") {
      e.deployed = true;
    }
  }
  return state;
}

json EndpointStates::view(Endpoint& e, Clock::time_point now) const {
  const auto state = state_now(e, now);
  json out = e.doc;
  auto& status = out["status"];
  status["state"] = state;
  status["message"] = message_for(state);
  const auto& scaling = e.doc["compute"]["scaling"];
  const int min = scaling.is_object() && scaling.contains("minReplica") &&
                          scaling["minReplica"].is_number_integer()
                      ? scaling["minReplica"].get<int>()
                      : 0;
  const int target = state == "paused" || state == "scaledToZero" ? 0 : std::max(1, min);
  status["targetReplica"] = target;
  status["readyReplica"] = state == "running" || state == "updating" ? target : 0;
  if (e.deployed) {
    status["url"] = m_url_base + "/" + e.ns + "/" + str_at(e.doc, "name");
  }
  return out;
}

EndpointStates::Endpoint* EndpointStates::find(const std::string& ns, const std::string& name) {
  for (auto& e : m_endpoints) {
    if (e.ns == ns && str_at(e.doc, "name") == name) {
      return &e;
    }
  }
  return nullptr;
}

void EndpointStates::touch(Endpoint& e, const Actor& actor) const {
  e.doc["status"]["updatedAt"] = rfc3339_now();
  e.doc["status"]["updatedBy"] = {{"id", actor.id.empty() ? user_id(actor.name) : actor.id},
                                  {"name", actor.name}};
}

json EndpointStates::list(const std::string& ns) {
  const std::lock_guard lock(m_mutex);
  const auto now = Clock::now();
  json items = json::array();
  for (auto& e : m_endpoints) {
    if (e.ns == ns) {
      items.push_back(view(e, now));
    }
  }
  return {{"items", std::move(items)}};
}

EndpointReply EndpointStates::get(const std::string& ns, const std::string& name) {
  const std::lock_guard lock(m_mutex);
  auto* e = find(ns, name);
  if (e == nullptr) {
    return error(404, "Endpoint " + ns + "/" + name + " not found");
  }
  return {200, view(*e, Clock::now()), {}};
}

EndpointReply EndpointStates::create(const std::string& ns,
                                     const json& payload,
                                     const Actor& actor,
                                     const CommitOf& commit_of) {
  if (!payload.is_object()) {
    return error(400, "The body must be a JSON object");
  }
  const auto name = str_at(payload, "name");
  if (name.empty()) {
    return error(400, "name is required");
  }
  if (!valid_name(name)) {
    return error(400, "Invalid endpoint name \"" + name +
                          "\": at most 32 lowercase letters, digits and '-', starting and ending "
                          "with a letter or digit");
  }
  if (!payload.contains("type")) {
    return error(400, "type is required");
  }
  json doc = {{"name", name},
              {"accountId", payload.contains("accountId") ? payload["accountId"] : json(nullptr)},
              {"type", payload["type"]}};
  for (const char* key : {"provider", "compute", "model", "route", "tags", "cacheHttpResponses"}) {
    if (payload.contains(key) && !payload[key].is_null()) {
      doc[key] = payload[key];
    }
  }
  if (auto problem = check_config(doc); !problem.empty()) {
    return error(400, problem);
  }
  auto& model = doc["model"];
  model.erase("secrets"); // never shown back
  if (!model.contains("image")) {
    model["image"] = {{"huggingface", json::object()}};
  }
  if (!model.contains("framework") || !model["framework"].is_string()) {
    model["framework"] = "pytorch";
  }
  const auto commit = commit_of(model["repository"].get<std::string>());
  if (!model.contains("revision") || !model["revision"].is_string()) {
    model["revision"] = commit ? json(*commit) : json(nullptr);
  }
  doc["healthRoute"] = health_route(model);
  const auto now_text = rfc3339_now();
  const json by = {{"id", actor.id.empty() ? user_id(actor.name) : actor.id}, {"name", actor.name}};
  doc["status"] = {{"createdAt", now_text},
                   {"createdBy", by},
                   {"updatedAt", now_text},
                   {"updatedBy", by},
                   {"private", nullptr}};

  const std::lock_guard lock(m_mutex);
  if (find(ns, name) != nullptr) {
    return error(409, "An endpoint named " + name + " already exists in " + ns);
  }
  Endpoint e;
  e.ns = ns;
  e.doc = std::move(doc);
  e.repo_ok = commit.has_value();
  e.cold_start_ms = m_timing.cold_start_ms;
  const auto now = Clock::now();
  const auto pending_end = now + std::chrono::milliseconds(m_timing.pending_ms);
  e.schedule = {{now, "pending"}};
  if (e.repo_ok) {
    e.schedule.emplace_back(pending_end, "initializing");
    e.schedule.emplace_back(pending_end + std::chrono::milliseconds(m_timing.initializing_ms),
                            "running");
  } else {
    e.schedule.emplace_back(pending_end, "failed");
  }
  m_endpoints.push_back(std::move(e));
  return {200, view(m_endpoints.back(), now), {}};
}

EndpointReply EndpointStates::update(const std::string& ns,
                                     const std::string& name,
                                     const json& payload,
                                     const Actor& actor,
                                     const CommitOf& commit_of) {
  if (!payload.is_object()) {
    return error(400, "The body must be a JSON object");
  }
  const std::lock_guard lock(m_mutex);
  auto* e = find(ns, name);
  if (e == nullptr) {
    return error(404, "Endpoint " + ns + "/" + name + " not found");
  }
  json doc = e->doc;
  const auto old_repo = str_at(doc["model"], "repository");
  json changes = payload;
  changes.erase("name");
  changes.erase("status");
  merge_set_fields(doc, changes);
  if (auto problem = check_config(doc); !problem.empty()) {
    return error(400, problem);
  }
  const auto repo = doc["model"]["repository"].get<std::string>();
  const auto commit = commit_of(repo);
  const bool revision_given = payload.contains("model") && payload["model"].is_object() &&
                              payload["model"].contains("revision") &&
                              payload["model"]["revision"].is_string();
  if (repo != old_repo && !revision_given) {
    doc["model"]["revision"] = commit ? json(*commit) : json(nullptr);
  }
  doc["healthRoute"] = health_route(doc["model"]);
  const auto now = Clock::now();
  const auto state = state_now(*e, now);
  e->doc = std::move(doc);
  e->repo_ok = commit.has_value();
  touch(*e, actor);
  // A paused or scaled-to-zero endpoint keeps its state: the new configuration applies when it
  // next starts.
  if (state != "paused" && state != "scaledToZero") {
    e->schedule = {{now, "updating"},
                   {now + std::chrono::milliseconds(m_timing.updating_ms),
                    e->repo_ok ? "running" : "updateFailed"}};
  }
  return {200, view(*e, now), {}};
}

EndpointReply EndpointStates::remove(const std::string& ns, const std::string& name) {
  const std::lock_guard lock(m_mutex);
  auto* e = find(ns, name);
  if (e == nullptr) {
    return error(404, "Endpoint " + ns + "/" + name + " not found");
  }
  m_endpoints.erase(m_endpoints.begin() + (e - m_endpoints.data()));
  return {200, json::object(), {}};
}

EndpointReply
EndpointStates::pause(const std::string& ns, const std::string& name, const Actor& actor) {
  const std::lock_guard lock(m_mutex);
  auto* e = find(ns, name);
  if (e == nullptr) {
    return error(404, "Endpoint " + ns + "/" + name + " not found");
  }
  const auto now = Clock::now();
  (void)state_now(*e, now); // records whether it was deployed before the pause
  e->schedule = {{now, "paused"}};
  touch(*e, actor);
  return {200, view(*e, now), {}};
}

EndpointReply
EndpointStates::resume(const std::string& ns, const std::string& name, const Actor& actor) {
  const std::lock_guard lock(m_mutex);
  auto* e = find(ns, name);
  if (e == nullptr) {
    return error(404, "Endpoint " + ns + "/" + name + " not found");
  }
  const auto now = Clock::now();
  if (state_now(*e, now) == "running") {
    return error(400, "Endpoint " + ns + "/" + name + " is already running");
  }
  e->schedule = {{now, "initializing"},
                 {now + std::chrono::milliseconds(m_timing.initializing_ms),
                  e->repo_ok ? "running" : "failed"}};
  touch(*e, actor);
  return {200, view(*e, now), {}};
}

EndpointReply
EndpointStates::scale_to_zero(const std::string& ns, const std::string& name, const Actor& actor) {
  const std::lock_guard lock(m_mutex);
  auto* e = find(ns, name);
  if (e == nullptr) {
    return error(404, "Endpoint " + ns + "/" + name + " not found");
  }
  const auto now = Clock::now();
  const auto state = state_now(*e, now);
  if (state != "running") {
    return error(400, "Endpoint " + ns + "/" + name + " is " + state +
                          ": only a running endpoint can be scaled to zero");
  }
  e->schedule = {{now, "scaledToZero"}};
  touch(*e, actor);
  return {200, view(*e, now), {}};
}

std::optional<EndpointView>
EndpointStates::visit(const std::string& ns, const std::string& name, bool wake) {
  const std::lock_guard lock(m_mutex);
  auto* e = find(ns, name);
  if (e == nullptr) {
    return std::nullopt;
  }
  const auto now = Clock::now();
  if (wake && state_now(*e, now) == "scaledToZero") {
    e->schedule = {{now, "initializing"},
                   {now + std::chrono::milliseconds(e->cold_start_ms), "running"}};
  }
  auto doc = view(*e, now);
  auto state = str_at(doc["status"], "state");
  auto type = str_at(doc, "type");
  return EndpointView{std::move(state), std::move(type), std::move(doc)};
}

} // namespace emulator
