# Tests of the router part (label `emulator`): the real hfrun-emulator binary answers the recorded
# tapes with their recorded bodies, streams with the recorded framing, errors with the recorded
# shapes. Included by the emulator's CMakeLists.txt after the hfrun-emulator target:
#   include(${CMAKE_CURRENT_SOURCE_DIR}/router_tests.cmake)
# The router's own libraries (libjpeg, zlib) go onto the emulator here, so the emulator's
# CMakeLists.txt, which globs the router sources, needs no list of them.
include(${CMAKE_CURRENT_LIST_DIR}/router_sources.cmake)
target_link_libraries(hfrun-emulator PRIVATE ${HFRUN_EMULATOR_ROUTER_LIBS})

find_package(GTest REQUIRED)
include(GoogleTest)
add_executable(hfrun_emulator_router_tests ${CMAKE_CURRENT_LIST_DIR}/router_tests/router_replay_test.cpp)
target_link_libraries(hfrun_emulator_router_tests PRIVATE GTest::gtest GTest::gtest_main PkgConfig::HTTPLIB
                                                          nlohmann_json::nlohmann_json hfrun_emulator_launcher)
if(TARGET hfrun_warnings)
  target_link_libraries(hfrun_emulator_router_tests PRIVATE hfrun_warnings)
endif()
target_compile_definitions(hfrun_emulator_router_tests PRIVATE
  HFRUN_EMULATOR_BINARY="$<TARGET_FILE:hfrun-emulator>"
  HFRUN_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data" HFRUN_TAPES_FILE="${HFRUN_TAPES_FILE}")
add_dependencies(hfrun_emulator_router_tests hfrun-emulator)
gtest_discover_tests(hfrun_emulator_router_tests PROPERTIES LABELS emulator DISCOVERY_TIMEOUT 60)
