// The Hub's view of a Space (docs/space.md): where its app is served (host), and whether it is
// running (runtime stage), as @gradio/client and huggingface_hub ask for them.
#pragma once

#include <hfrun/client/client.hpp>
#include <string>
#include <string_view>

namespace hfrun::hub {

struct SpaceRuntime {
  std::string stage;         // an open set: RUNNING, SLEEPING, BUILDING, PAUSED, RUNTIME_ERROR ...
  std::string hardware;      // hardware.current, else hardware.requested ("zero-a10g")
  std::string error_message; // errorMessage of a Space in error
};

// What a client does about a stage (spaces.md §1.4: the JS client's table, SLEEPING included).
enum class StageAction {
  ready, // RUNNING, RUNNING_BUILDING, RUNNING_APP_STARTING
  wake,  // SLEEPING, STOPPED: a request to the host wakes it, then wait
  wait,  // BUILDING, APP_STARTING: it is on its way, wait
  fail,  // PAUSED, *_ERROR, NO_APP_FILE, DELETING and every stage not known here
};
[[nodiscard]] StageAction stage_action(std::string_view stage);

// GET {endpoint}/api/spaces/{id}/host -> its "host" (https://owner-name.hf.space); when that route
// is missing (404 with no JSON error of the Hub's), the "host" of GET /api/spaces/{id}. A missing
// Space is ErrorKind::not_found, a private one without access ErrorKind::auth.
[[nodiscard]] Result<std::string> space_host(client::Client& client, const std::string& id);

// GET {endpoint}/api/spaces/{id}/runtime.
[[nodiscard]] Result<SpaceRuntime> space_runtime(client::Client& client, const std::string& id);

} // namespace hfrun::hub
