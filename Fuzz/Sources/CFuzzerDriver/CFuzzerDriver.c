// Declarations only (see include/CFuzzerDriver.h); the definition comes from libFuzzer.
#include "CFuzzerDriver.h"
