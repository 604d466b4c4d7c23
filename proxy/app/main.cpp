// The jitgate executable: the command line of DESIGN §2, with no test hooks set.
#include "proxy/app/hooks.hpp"

int main(int argc, char** argv) { return jitgate::proxy::run_jitgate(argc, argv); }
