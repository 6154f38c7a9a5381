/*
 * fuzz: what every fuzz target shares, linked into both of its builds
 * (the libFuzzer binary and the replay test; see fuzz.h).
 */
#include "fuzz.h"

/* Parsers log each refusal; a fuzzer refuses millions of inputs. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_QUIET);
	return 0;
}
