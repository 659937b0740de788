// PRIVATE to the tasks layer: the Content-Type of an input file from its bytes (libmagic), as a
// server expects it in a raw upload.
#pragma once

#include <filesystem>
#include <hfrun/error.hpp>
#include <string>

namespace hfrun::tasks {

// The MIME type of the file's content ("image/png", "audio/wav"), falling back to the file name's
// extension when the content says nothing useful; "" when neither knows. Unreadable file:
// ErrorKind::usage.
[[nodiscard]] Result<std::string> sniff_content_type(const std::filesystem::path& file);

} // namespace hfrun::tasks
