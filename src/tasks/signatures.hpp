// PRIVATE to the tasks layer: the MIME type of the media formats hfrun uploads, told from their
// first bytes by a small table, so that the common case never loads libmagic's 6 MiB database
// (docs/benchmarks.md, "Where hfrun's extra cost goes").
#pragma once

#include <string_view>

namespace hfrun::tasks {

// "image/png", "audio/flac", ... for the formats in the table; "" for anything else (the caller
// then asks libmagic). Names are the registered ones servers expect (audio/wav, not audio/x-wav).
[[nodiscard]] std::string_view signature_type(std::string_view head);

} // namespace hfrun::tasks
