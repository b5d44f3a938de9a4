#include "cmd.h"
#include <stdio.h>
int cmd_classify(int argc, char **argv)
{
    fprintf(stderr, "nipscope: %s: not built yet\n", argv[0]);
    return EXIT_SOFTWARE;
}
