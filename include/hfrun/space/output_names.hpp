// Where a Space's output file is written. The name comes from the server (FileData orig_name, or
// the last part of its path), so it is untrusted: it must never leave the output folder, replace a
// file that is there, or land as a surprise such as a dotfile or a name a shell reads as an option
// (docs/space.md, "Output files").
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace hfrun::space {

// The longest name kept, in bytes (file systems allow 255; room is left for free_output_path's
// "-N" suffix).
inline constexpr std::size_t k_max_output_name = 200;

// `name` made safe to create inside the output folder: only its last component (after '/' or
// '\'), control bytes and NUL as '_', a leading '.' or '-' as '_', cut to k_max_output_name bytes
// at a UTF-8 boundary keeping a short extension; "output-N" (N = index + 1) when nothing is left.
[[nodiscard]] std::string safe_output_name(std::string_view name, std::size_t index);

// `wanted`, or "stem-1.ext", "stem-2.ext" ... beside it: the first that does not exist, so an
// existing file is never replaced by a default-named output.
[[nodiscard]] std::filesystem::path free_output_path(const std::filesystem::path& wanted);

} // namespace hfrun::space
