#include "cli/app.h"

int main(int argc, char** argv) { return ws::cli::Run(argc, argv); }
