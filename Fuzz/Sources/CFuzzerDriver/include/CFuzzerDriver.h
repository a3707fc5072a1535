// libFuzzer's driver entry point (compiler-rt, linked by -sanitize=fuzzer). SwiftPM links executables with
// `main` aliased to `<module>_main`, so each fuzz target defines that function and calls the driver itself.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
