// How much of a server's answer hfrun keeps in memory, whatever the server sends: past a cap the
// transfer fails with ErrorKind::bad_response (exit 9) instead of growing without bound
// (docs/reliability.md, "Resource bounds"). Bodies written to a file (downloads, -o) have no cap.
#pragma once

#include <cstddef>

namespace hfrun::http {

// A response body collected in memory (JSON answers, error bodies keep only this much).
inline constexpr std::size_t k_max_body_in_memory = std::size_t{64} << 20U;
// All header lines of one response (libcurl itself refuses a single line over 100 KiB).
inline constexpr std::size_t k_max_response_headers = std::size_t{256} << 10U;
// One event of an event stream or one line of an NDJSON stream, not yet complete.
inline constexpr std::size_t k_max_stream_event = std::size_t{16} << 20U;

} // namespace hfrun::http
