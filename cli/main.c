/* main.c - the nipscope executable: dispatch to one file per subcommand. */
#include "cmd.h"

#include "common.h"
#include "crawler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef NSC_VERSION
#define NSC_VERSION "unknown"
#endif
#ifndef NSC_INSTALLED_RULES
#define NSC_INSTALLED_RULES "/usr/local/share/nipscope/rules"
#endif
#ifndef NSC_INSTALLED_RULES_REL
#define NSC_INSTALLED_RULES_REL "share/nipscope/rules"
#endif

struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
};

static const struct command commands[] = {
    { "classify", cmd_classify, "place affiliation strings in countries, with evidence" },
    { "rules", cmd_rules, "check a rule set (rules check [DIR])" },
    { "report", cmd_report, "counts, policy sensitivity and trends from a store's records" },
    { "crawl", cmd_crawl, "crawl one NeurIPS year into a store directory, resumably" },
    { "reclassify", cmd_reclassify,
      "place stored records again with a rule set, fetching nothing" },
    { "daemon", cmd_daemon, "keep the configured years crawled, as a systemd service" },
    { "status", cmd_status, "what the daemon is doing and when each year was last crawled" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope [--version] [-v|-q] <command> [<args>]\n\ncommands:\n");
    for (size_t i = 0; i < NSC_ARRAY_SIZE(commands); i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'nipscope <command> --help' describes one command.\n");
}

int cmd_exit_status(int err)
{
    switch (err) {
    case NSC_OK:
        return EXIT_OK;
    case NSC_ENOTFOUND:
        return EXIT_NOINPUT;
    case NSC_EPARSE:
    case NSC_EINVAL:
        return EXIT_DATAERR;
    case NSC_EIO:
    case NSC_ENOSPC:
        return EXIT_IOERR;
    case NSC_ELOCKED:
        return EXIT_TEMPFAIL;
    default:
        return EXIT_FAIL;
    }
}

int cmd_fail(int err)
{
    const char *msg = nsc_error_last();

    fprintf(stderr, "nipscope: %s\n", *msg ? msg : nsc_strerror(err));
    return cmd_exit_status(err);
}

/*
 * The rules installed next to this binary: <prefix>/bin/nipscope finds
 * <prefix>/<datadir>/nipscope/rules, so an installation staged under DESTDIR
 * or moved to another prefix uses its own rules.  NULL when there are none.
 */
static const char *exe_relative_rules(void)
{
    static char dir[4096];
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;
    int len;

    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    for (int up = 0; up < 2; up++) { /* drop "/nipscope", then "/bin" */
        slash = strrchr(exe, '/');
        if (!slash)
            return NULL;
        *slash = '\0';
    }
    len = snprintf(dir, sizeof(dir), "%s/" NSC_INSTALLED_RULES_REL "/policies.yaml", exe);
    if (len < 0 || (size_t)len >= sizeof(dir) || access(dir, R_OK) != 0)
        return NULL;
    dir[len - strlen("/policies.yaml")] = '\0';
    return dir;
}

const char *cmd_default_rules_dir(void)
{
    const char *env = getenv("NIPSCOPE_RULES");
    const char *rel;

    if (env && *env)
        return env;
    rel = exe_relative_rules();
    if (rel)
        return rel;
    if (access(NSC_INSTALLED_RULES "/policies.yaml", R_OK) == 0)
        return NSC_INSTALLED_RULES;
    return "rules";
}

/*
 * The hidden "parse-worker" command: the HTML parser process a crawl starts
 * from this binary (crawler_sandbox_start()), its socket on fd 3.  Run by
 * hand it finds no socket there and says so.
 */
static int parse_worker(void)
{
    struct stat sb;

    if (fstat(3, &sb) < 0 || !S_ISSOCK(sb.st_mode)) {
        fprintf(stderr, "nipscope: parse-worker is started by a crawl, not by hand\n");
        return EXIT_USAGE;
    }
    if (crawler_sandbox_serve(3) < 0)
        return cmd_fail(NSC_EPARSE);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    int i = 1;

    if (argc == 2 && !strcmp(argv[1], "parse-worker"))
        return parse_worker();

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--version")) {
            printf("nipscope %s\n", NSC_VERSION);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
            nsc_log_level = nsc_log_level < LOG_DEBUG ? nsc_log_level + 1 : LOG_DEBUG;
        } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            nsc_log_level = LOG_ERR;
        } else {
            fprintf(stderr, "nipscope: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (size_t c = 0; c < NSC_ARRAY_SIZE(commands); c++) {
        if (!strcmp(argv[i], commands[c].name))
            return commands[c].fn(argc - i, argv + i);
    }
    fprintf(stderr, "nipscope: '%s' is not a nipscope command\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
