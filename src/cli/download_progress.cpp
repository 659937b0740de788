#include "download_progress.hpp"

#include <cmath>
#include <fmt/core.h>

namespace hfrun::cli {

namespace {

constexpr std::size_t k_files_shown = 5;

std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(std::ceil(seconds));
  if (s < 60) {
    return std::to_string(s) + " s";
  }
  if (s < 3600) {
    return fmt::format("{}m{:02}s", s / 60, s % 60);
  }
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

} // namespace

std::vector<std::string> download_progress_lines(std::string_view repo,
                                                 const cache::DownloadProgress& p,
                                                 std::optional<double> rate) {
  std::string head = fmt::format("{}: {}/{} files, {} of {}", repo, p.files_done, p.files_total,
                                 human_bytes(p.bytes_done), human_bytes(p.bytes_total));
  if (rate && *rate > 0) {
    head += ", " + human_bytes(static_cast<std::uint64_t>(*rate)) + "/s";
    if (p.bytes_total > p.bytes_done) {
      head +=
          ", " + duration_text(static_cast<double>(p.bytes_total - p.bytes_done) / *rate) + " left";
    }
  }
  std::vector<std::string> lines{head};
  for (std::size_t i = 0; i < p.in_flight.size() && i < k_files_shown; ++i) {
    const auto& file = p.in_flight[i];
    const int percent = file.size == 0 ? 100
                                       : static_cast<int>(100.0 * static_cast<double>(file.done) /
                                                          static_cast<double>(file.size));
    lines.push_back(fmt::format("  {:>3}% {} ({} of {})", percent, file.path,
                                human_bytes(file.done), human_bytes(file.size)));
  }
  if (p.in_flight.size() > k_files_shown) {
    lines.push_back(fmt::format("  ... and {} more", p.in_flight.size() - k_files_shown));
  }
  return lines;
}

DownloadProgressView::DownloadProgressView(const Output& output, std::string repo)
    : m_block(output), m_repo(std::move(repo)) {}

void DownloadProgressView::update(const cache::DownloadProgress& progress) {
  if (!m_block.enabled()) {
    return;
  }
  if (progress.final) {
    m_block.clear();
    return;
  }
  const auto now = Clock::now();
  m_samples.emplace_back(now, progress.bytes_done);
  while (m_samples.size() > 2 && now - m_samples.front().first > std::chrono::seconds(5)) {
    m_samples.pop_front();
  }
  std::optional<double> rate;
  const double span = std::chrono::duration<double>(now - m_samples.front().first).count();
  if (span >= 0.5 && progress.bytes_done >= m_samples.front().second) {
    rate = static_cast<double>(progress.bytes_done - m_samples.front().second) / span;
  }
  m_block.show(download_progress_lines(m_repo, progress, rate));
}

} // namespace hfrun::cli
