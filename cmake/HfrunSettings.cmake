# hfrun_settings: compile definitions, sanitizers. hfrun_warnings: the warning set (errors in CI).
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
if(HFRUN_WARNINGS_AS_ERRORS)
  target_compile_options(hfrun_warnings INTERFACE -Werror)
endif()
