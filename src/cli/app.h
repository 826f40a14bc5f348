// The `watchstats` command line (SPEC 5.1). Parses arguments and calls the
// library; it holds no logic of its own beyond argument handling, progress
// display and exit codes.
#pragma once

namespace ws::cli {

// Exit codes: 0 success, 1 failure (the message is printed), 2 bad usage.
int Run(int argc, char** argv);

}  // namespace ws::cli
