/* patrol.c - the entry point: dispatches to one front end per subcommand. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: patrol <command> [options]\n");
		return 2;
	}
	fprintf(stderr, "patrol: unknown command '%s'\n", argv[1]);
	return 2;
}
