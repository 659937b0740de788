// The probe's I/O: the Hub requests of `hfrun probe` for one or many models, and their evaluation
// into Reports. The rest of the probe layer is pure (request.hpp says what to ask, evaluate.hpp
// judges the answers); this is the one place that sends, through the client.
#pragma once

#include <hfrun/client/client.hpp>
#include <hfrun/error.hpp>
#include <hfrun/probe/report.hpp>
#include <string>
#include <vector>

namespace hfrun::probe {

// One model's outcome, for the model id exactly as the user gave it.
struct ModelProbe {
  std::string input;     // as given, e.g. "gpt2" (the report's `model` may be the new id)
  Result<Report> report; // the report (its `input` set), or why its model info failed
};

// Probes every model in two concurrent rounds over the client's shared pool: every model-info
// request at once (request.hpp's expand fields, `revision` empty for the default branch), then the
// runtime of the first Spaces of every model that answered (a Space shared by several models is
// asked once; a failed lookup only leaves that Space unchecked). One entry per model, in the order
// given. Under --dry-run each entry holds client::dry_run_stop() (the model-info requests were
// printed, nothing was sent) and no Space is asked for.
[[nodiscard]] std::vector<ModelProbe> fetch_reports(client::Client& client,
                                                    const std::vector<std::string>& models,
                                                    const std::string& revision);

} // namespace hfrun::probe
