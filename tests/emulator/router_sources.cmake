# The router part of hfrun-emulator, for the emulator's CMakeLists.txt:
#   include(${CMAKE_CURRENT_SOURCE_DIR}/router_sources.cmake)
#   target_sources(hfrun-emulator PRIVATE ${HFRUN_EMULATOR_ROUTER_SOURCES})
#   target_link_libraries(hfrun-emulator PRIVATE ${HFRUN_EMULATOR_ROUTER_LIBS})
# libjpeg (Debian: libjpeg62-turbo-dev) writes the JPEGs text-to-image answers; zlib the PNG masks.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HFRUN_JPEG REQUIRED IMPORTED_TARGET libjpeg)
find_package(ZLIB REQUIRED)

set(HFRUN_EMULATOR_ROUTER_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/router.cpp
    ${CMAKE_CURRENT_LIST_DIR}/router_chat.cpp
    ${CMAKE_CURRENT_LIST_DIR}/router_providers.cpp
    ${CMAKE_CURRENT_LIST_DIR}/router_provider_tasks.cpp
    ${CMAKE_CURRENT_LIST_DIR}/router_tasks.cpp
    ${CMAKE_CURRENT_LIST_DIR}/router_util.cpp
    ${CMAKE_CURRENT_LIST_DIR}/plausible.cpp
    ${CMAKE_CURRENT_LIST_DIR}/media.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tapes.cpp)
set(HFRUN_EMULATOR_ROUTER_LIBS PkgConfig::HFRUN_JPEG ZLIB::ZLIB)
