#include <hfrun/cli/run.hpp>

int main(int argc, char** argv) {
  return hfrun::cli::run(argc, argv);
}
