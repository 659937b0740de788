// hfrun-emulator: the Hugging Face Hub, its file CDN, the Inference Providers router, Gradio apps,
// inference servers and the Inference Endpoints API on six loopback ports, for tests and for users'
// CI pipelines (docs/emulator.md).
#include "context.hpp"
#include "endpoint_state.hpp"
#include "faults.hpp"
#include "request_log.hpp"
#include "space_state.hpp"
#include "world.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr const char* k_usage = R"(Usage: hfrun-emulator [OPTIONS]

Serves the Hugging Face Hub, its file CDN, the Inference Providers router and the Gradio apps of
the world's Spaces on 127.0.0.1.

  --port N            hub on N, router on N+1, cdn on N+2, gradio on N+3, endpoints on N+4,
                      endpoints_api on N+5; 0 (default) picks free ports
  --port-file FILE    write {"hub","router","cdn","gradio","endpoints","endpoints_api","token",
                      "pid"} as JSON once all roles listen
  --world FILE        load this world instead of the built-in one (repeat to merge several)
  --log FILE          append one JSON line per request (also at GET /_emulator/log)
  --latency-ms N      add N ms before every response
  --bandwidth B       cap every response body at B bytes/s (per connection)
  --max-body B        answer 413 to request bodies over B bytes (default 10485760; 0 = no limit)
  --tapes FILE        recorded router exchanges to replay instead of the built-in ones
                      (tests/data/recordings/hfjs-tapes.tar.gz, embedded)
  --print-digests     print "id<TAB>path<TAB>size<TAB>sha256" for every LFS file of the world and exit
  -h, --help          this help
)";

struct Options {
  int port = 0;
  std::string port_file;
  std::vector<std::string> worlds;
  std::string log;
  int latency_ms = 0;
  std::uint64_t bandwidth = 0;
  std::uint64_t max_body = 10ULL << 20U;
  std::string tapes;
  bool print_digests = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "hfrun-emulator: " << message << "\n\n" << k_usage;
  std::exit(2);
}

std::uint64_t number_arg(const std::string& name, const std::string& value) {
  try {
    std::size_t used = 0;
    const auto v = std::stoull(value, &used);
    if (used != value.size()) {
      throw std::invalid_argument(value);
    }
    return v;
  } catch (const std::exception&) {
    usage_error(name + " needs a non-negative number, got \"" + value + "\"");
  }
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage_error(a + " needs a value");
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::cout << k_usage;
      std::exit(0);
    } else if (a == "--port") {
      o.port = static_cast<int>(number_arg(a, value()));
    } else if (a == "--port-file") {
      o.port_file = value();
    } else if (a == "--world") {
      o.worlds.push_back(value());
    } else if (a == "--log") {
      o.log = value();
    } else if (a == "--latency-ms") {
      o.latency_ms = static_cast<int>(number_arg(a, value()));
    } else if (a == "--bandwidth") {
      o.bandwidth = number_arg(a, value());
    } else if (a == "--max-body") {
      o.max_body = number_arg(a, value());
    } else if (a == "--tapes") {
      o.tapes = value();
    } else if (a == "--print-digests") {
      o.print_digests = true;
    } else {
      usage_error("unknown option " + a);
    }
  }
  return o;
}

// nlohmann::json sorts object keys, but the order of a model's inferenceProviderMapping is data
// (the user's provider preference, which clients follow): keep it as "_provider_order" for the Hub
// API.
void record_provider_order(nlohmann::json& doc, const std::string& text) {
  const auto ordered = nlohmann::ordered_json::parse(text, nullptr, false);
  if (ordered.is_discarded() || !ordered.contains("models") || !ordered["models"].is_array() ||
      !doc.contains("models") || !doc["models"].is_array()) {
    return;
  }
  for (std::size_t i = 0; i < ordered["models"].size() && i < doc["models"].size(); ++i) {
    const auto& model = ordered["models"][i];
    if (model.is_object() && model.contains("inferenceProviderMapping") &&
        model["inferenceProviderMapping"].is_object()) {
      nlohmann::json order = nlohmann::json::array();
      for (const auto& [provider, entry] : model["inferenceProviderMapping"].items()) {
        order.push_back(provider);
      }
      doc["models"][i]["_provider_order"] = std::move(order);
    }
  }
}

nlohmann::json load_world(const Options& o) {
  std::vector<nlohmann::json> docs;
  if (o.worlds.empty()) {
    for (const auto& [name, text] : emulator::embedded_world()) {
      auto j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded()) {
        std::cerr << "hfrun-emulator: the built-in world file " << name << " is not valid JSON\n";
        std::exit(1);
      }
      record_provider_order(j, std::string(text));
      docs.push_back(std::move(j));
    }
  }
  for (const auto& path : o.worlds) {
    std::ifstream in(path);
    if (!in) {
      usage_error("cannot read " + path);
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) {
      usage_error(path + " is not valid JSON");
    }
    record_provider_order(j, text);
    docs.push_back(std::move(j));
  }
  return emulator::merge_worlds(docs);
}

bool write_port_file(const std::string& path, const std::string& text) {
  const auto tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp);
    out << text << '\n';
    if (!out.good()) {
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

// The endpoints role: self-hosted servers and the proxy of managed endpoints share one origin.
void register_data_plane_routes(httplib::Server& server, emulator::Context& ctx) {
  emulator::register_endpoint_server_routes(server, ctx);
  emulator::register_endpoint_proxy_routes(server, ctx);
}

} // namespace

int main(int argc, char** argv) {
  const auto options = parse_args(argc, argv);

  auto world = emulator::World::build(load_world(options));
  if (!world) {
    std::cerr << "hfrun-emulator: bad world: " << world.error() << "\n";
    return 2;
  }
  if (options.print_digests) {
    for (const auto& m : (*world)->models()) {
      for (const auto& f : m->files) {
        if (f.lfs) {
          std::cout << m->id << '\t' << f.path << '\t' << f.size << '\t' << f.digest().sha256
                    << '\n';
        }
      }
    }
    return 0;
  }

  // Only the main thread takes SIGINT/SIGTERM (sigwait below); server threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  emulator::Context ctx;
  ctx.world = (*world)->doc();
  ctx.repos = world->get();
  emulator::RequestLog log(options.log, (*world)->tokens());
  if (!log.ok()) {
    std::cerr << "hfrun-emulator: cannot open the log " << options.log << "\n";
    return 2;
  }
  ctx.log = &log;
  emulator::Faults faults({options.latency_ms, options.bandwidth, options.max_body});
  ctx.faults = &faults;
  emulator::SpaceStates spaces;
  ctx.spaces = &spaces;
  emulator::EndpointStates endpoints(ctx.world);
  ctx.endpoints = &endpoints;
  if (options.tapes.empty()) {
    ctx.tapes_text = std::string(emulator::embedded_tapes());
  } else {
    std::ifstream in(options.tapes, std::ios::binary);
    if (!in) {
      usage_error("cannot read " + options.tapes);
    }
    ctx.tapes_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // The roles, in port order (--port N gives role i the port N+i): each one's name (also its key in
  // the port file and its `role` in the log), where its URL goes, and what it serves.
  struct Role {
    std::string name;
    std::string emulator::Context::*url;
    void (*register_routes)(httplib::Server&, emulator::Context&);
  };
  const std::vector<Role> roles = {
      {"hub", &emulator::Context::hub_url, emulator::register_hub_routes},
      {"router", &emulator::Context::router_url, emulator::register_router_routes},
      {"cdn", &emulator::Context::cdn_url, emulator::register_cdn_routes},
      {"gradio", &emulator::Context::gradio_url, emulator::register_gradio_routes},
      {"endpoints", &emulator::Context::endpoints_url, register_data_plane_routes},
      {"endpoints_api", &emulator::Context::endpoints_api_url,
       emulator::register_endpoints_api_routes}};
  std::vector<std::unique_ptr<httplib::Server>> servers;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    auto server = std::make_unique<httplib::Server>();
    emulator::configure_server(*server, roles[i].name, ctx);
    const int port = options.port == 0
                         ? server->bind_to_any_port("127.0.0.1")
                         : (server->bind_to_port("127.0.0.1", options.port + static_cast<int>(i))
                                ? options.port + static_cast<int>(i)
                                : -1);
    if (port <= 0) {
      std::cerr << "hfrun-emulator: cannot listen for the " << roles[i].name << " role\n";
      return 1;
    }
    ctx.*roles[i].url = "http://127.0.0.1:" + std::to_string(port);
    servers.push_back(std::move(server));
  }
  // Every URL is known before any route is registered (redirects name the other roles).
  for (std::size_t i = 0; i < roles.size(); ++i) {
    roles[i].register_routes(*servers[i], ctx);
  }

  std::vector<std::thread> threads;
  for (auto& s : servers) {
    threads.emplace_back([&s] { s->listen_after_bind(); });
  }
  for (auto& s : servers) {
    while (!s->is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  const auto users = ctx.world.value("users", nlohmann::json::array());
  nlohmann::json info = {{"token", users.empty() ? "" : users[0].value("token", "")},
                         {"pid", ::getpid()}};
  for (const auto& role : roles) {
    info[role.name] = ctx.*role.url;
  }
  std::cout << info.dump() << std::endl;
  if (!options.port_file.empty() && !write_port_file(options.port_file, info.dump())) {
    std::cerr << "hfrun-emulator: cannot write " << options.port_file << "\n";
  }

  int received = 0;
  sigwait(&signals, &received);
  for (auto& s : servers) {
    s->stop();
  }
  for (auto& t : threads) {
    t.join();
  }
  std::cerr << "hfrun-emulator: stopped\n";
  return 0;
}
