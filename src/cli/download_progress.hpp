// PRIVATE to the cli layer: `hfrun download`'s live block on a terminal (docs/download.md,
// "Progress"): totals, rate and time left, then the files in flight.
#pragma once

#include "output.hpp"

#include <chrono>
#include <deque>
#include <hfrun/cache/download.hpp>
#include <string>
#include <vector>

namespace hfrun::cli {

// The lines of the block for one report; `rate` in bytes/s (nullopt while unknown).
[[nodiscard]] std::vector<std::string> download_progress_lines(std::string_view repo,
                                                               const cache::DownloadProgress& p,
                                                               std::optional<double> rate);

class DownloadProgressView {
public:
  DownloadProgressView(const Output& output, std::string repo);
  [[nodiscard]] bool enabled() const { return m_block.enabled(); }
  void update(const cache::DownloadProgress& progress);

private:
  using Clock = std::chrono::steady_clock;
  StatusBlock m_block;
  std::string m_repo;
  // (time, bytes done) over the last few seconds, for the rate.
  std::deque<std::pair<Clock::time_point, std::uint64_t>> m_samples;
};

} // namespace hfrun::cli
