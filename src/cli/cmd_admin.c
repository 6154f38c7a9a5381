#include <stdio.h>

#include "cli/cli.h"

/* Placeholder until the command is written. */
int cmd_admin(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "netcensus: %s: not built yet\n", argv[0]);
	return 1;
}
