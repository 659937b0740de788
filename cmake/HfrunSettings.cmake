# hfrun_settings: compile definitions, sanitizers, precompiled headers. hfrun_warnings: the warning set
# (errors in CI).
add_library(hfrun_settings INTERFACE)
target_compile_definitions(hfrun_settings INTERFACE HFRUN_VERSION="${PROJECT_VERSION}")
if(HFRUN_ENABLE_SANITIZERS)
  target_compile_options(hfrun_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                  -fno-sanitize-recover=undefined)
  target_link_options(hfrun_settings INTERFACE -fsanitize=address,undefined)
endif()
if(HFRUN_FUZZ)
  # Coverage for libFuzzer in every library; the targets themselves link -fsanitize=fuzzer.
  target_compile_options(hfrun_settings INTERFACE -fsanitize=fuzzer-no-link)
endif()

add_library(hfrun_warnings INTERFACE)
target_compile_options(hfrun_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                -Woverloaded-virtual)
if(HFRUN_ENABLE_SANITIZERS AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # With the sanitizers' instrumentation at -O1, g++ 12 reports std::function's members inside
  # std::regex's own code as maybe-uninitialized (a false positive in the standard library's
  # headers, GCC bug 105562); the plain builds keep the warning.
  target_compile_options(hfrun_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
if(HFRUN_WARNINGS_AS_ERRORS)
  target_compile_options(hfrun_warnings INTERFACE -Werror)
endif()

# Precompiled headers: the standard library, fmt and nlohmann-json headers take over half of a
# translation unit's compile time here, so every target compiles them once (docs/benchmarks.md,
# "Building"). Code must still include what it uses: the clang builds (fuzz, lint) do not use them.
# The option is defined in the top-level CMakeLists.txt (ON with g++).
if(HFRUN_PCH)
  target_precompile_headers(hfrun_settings INTERFACE
    <algorithm> <array> <chrono> <filesystem> <fstream> <functional> <map> <memory> <mutex>
    <optional> <string> <string_view> <thread> <vector> <fmt/format.h> <nlohmann/json.hpp>)
endif()

# A lean binary starts faster and maps less (docs/benchmarks.md, "Start-up"): link-time
# optimisation and section garbage collection shrink the text a call touches, and a static
# libstdc++/libgcc with fmt compiled in leaves libcurl's C libraries as the only shared ones.
# On in the release preset, which the .deb of a release is built from.
option(HFRUN_LEAN_BINARY "LTO, --gc-sections, static libstdc++ and header-only fmt" OFF)
if(HFRUN_LEAN_BINARY)
  set(CMAKE_INTERPROCEDURAL_OPTIMIZATION ON)
  add_compile_options(-ffunction-sections -fdata-sections)
  add_link_options(-Wl,--gc-sections -Wl,-O1 -Wl,--as-needed -static-libstdc++ -static-libgcc)
  # RELR packs the ~4,000 relative relocations of a PIE into a few hundred bytes (binutils 2.38,
  # glibc 2.36: Debian 12 has both), so start-up reads 95 KB less.
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-Wl,-z,pack-relative-relocs" HFRUN_HAVE_RELR)
  if(HFRUN_HAVE_RELR)
    add_link_options(-Wl,-z,pack-relative-relocs)
  endif()
endif()
