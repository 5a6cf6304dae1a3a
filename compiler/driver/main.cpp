// carepath: check, verify, compile, test and evaluate clinical protocols.
#include "Driver.h"

int main(int argc, char **argv) { return carepath::driver::runDriver(argc, argv); }
