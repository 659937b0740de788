# What `cmake --install` and `cpack` add beyond the binary (docs/shell.md): the man page hfrun(1)
# and the completion scripts, generated at build time by running the built hfrun (one source of
# truth: its CLI11 tree), and a Debian package built by CPack.

# doctor.cpp prints how it was built. Target-wide, not on the one file: a file with its own
# definitions is left out of the unity build of the demo preset (docs/benchmarks.md, "First run").
set(_hfrun_curl_version "${CURL_VERSION_STRING}")
if(NOT _hfrun_curl_version)
  set(_hfrun_curl_version "${CURL_VERSION}")
endif()
target_compile_definitions(hfrun_cli PRIVATE HFRUN_BUILD_TYPE="${CMAKE_BUILD_TYPE}"
                                             HFRUN_CURL_BUILD_VERSION="${_hfrun_curl_version}")

set(HFRUN_SHARE_OUT ${PROJECT_BINARY_DIR}/share)
set(HFRUN_MAN_PAGE ${HFRUN_SHARE_OUT}/man/man1/hfrun.1)
set(HFRUN_BASH_COMPLETION ${HFRUN_SHARE_OUT}/bash-completion/completions/hfrun)
set(HFRUN_ZSH_COMPLETION ${HFRUN_SHARE_OUT}/zsh/vendor-completions/_hfrun)
set(HFRUN_FISH_COMPLETION ${HFRUN_SHARE_OUT}/fish/vendor_completions.d/hfrun.fish)
# A clean environment: the generated files must not depend on the builder's token or settings.
set(_hfrun_run ${CMAKE_COMMAND} -E env --unset=HF_TOKEN --unset=HUGGING_FACE_HUB_TOKEN
               HF_HOME=${PROJECT_BINARY_DIR}/hfrun-gen-home $<TARGET_FILE:hfrun>)
add_custom_command(
  OUTPUT ${HFRUN_MAN_PAGE} ${HFRUN_BASH_COMPLETION} ${HFRUN_ZSH_COMPLETION} ${HFRUN_FISH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${HFRUN_SHARE_OUT}/man/man1
          ${HFRUN_SHARE_OUT}/bash-completion/completions ${HFRUN_SHARE_OUT}/zsh/vendor-completions
          ${HFRUN_SHARE_OUT}/fish/vendor_completions.d
  COMMAND ${_hfrun_run} manpage -o ${HFRUN_MAN_PAGE}
  COMMAND ${_hfrun_run} completion bash -o ${HFRUN_BASH_COMPLETION}
  COMMAND ${_hfrun_run} completion zsh -o ${HFRUN_ZSH_COMPLETION}
  COMMAND ${_hfrun_run} completion fish -o ${HFRUN_FISH_COMPLETION}
  DEPENDS hfrun
  COMMENT "Generating hfrun.1 and the bash, zsh and fish completions"
  VERBATIM)
add_custom_target(hfrun_shell_files ALL
  DEPENDS ${HFRUN_MAN_PAGE} ${HFRUN_BASH_COMPLETION} ${HFRUN_ZSH_COMPLETION} ${HFRUN_FISH_COMPLETION})

install(FILES ${HFRUN_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${HFRUN_BASH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${HFRUN_ZSH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${HFRUN_FISH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# The Debian package: `cpack` in the build folder (after building `all`, or hfrun and
# hfrun_shell_files) writes hfrun_<version>_<arch>.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hfrun)
set(CPACK_PACKAGE_VENDOR "hfrun")
set(CPACK_PACKAGE_CONTACT "hfrun maintainers <hfrun@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://huggingface.co")
# `hfrun local` runs its workers with Node.js (docs/local.md): useful, not needed for the rest.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nodejs, python3")
find_program(HFRUN_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(HFRUN_DPKG_SHLIBDEPS)
  # Depends read off the binary's libraries by dpkg-shlibdeps (dpkg-dev).
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  # dlopen'ed on the content-type fallback (src/tasks/sniff.cpp), so not in the binary's NEEDED list.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libmagic1")
else()
  # The libraries `ldd hfrun` names directly, as Debian 12 packages them.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libstdc++6, libgcc-s1, libcurl4, libmagic1, libfmt9, libssl3")
endif()
if(CMAKE_BUILD_TYPE MATCHES "^(Release|MinSizeRel)$")
  set(CPACK_STRIP_FILES ON)
endif()
include(CPack)
