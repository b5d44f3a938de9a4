/*
 * cmd.h - the subcommands of the nipscope executable, one file each
 * (cmd_<name>.c), and the exit codes they share.
 *
 * A subcommand gets argv with argv[0] set to its own name and returns the
 * process exit status.
 */
#ifndef NSC_CLI_CMD_H
#define NSC_CLI_CMD_H

#include <stddef.h>

/* Exit statuses, after sysexits(3). */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,      /* the operation failed; the message says why */
    EXIT_USAGE = 64,    /* bad command line */
    EXIT_DATAERR = 65,  /* some input records were malformed */
    EXIT_NOINPUT = 66,  /* an input file is missing or unreadable */
    EXIT_SOFTWARE = 70, /* internal error */
    EXIT_IOERR = 74,    /* writing output failed */
    EXIT_TEMPFAIL = 75  /* try again later: locked, or the site is down */
};

/* Map a negative NSC_E* code to an exit status. */
int cmd_exit_status(int err);

/* Print "nipscope: <message>" for the last error and return its exit status. */
int cmd_fail(int err);

/* Default rules directory: $NIPSCOPE_RULES, else the rules installed next to the
 * binary (<prefix>/share/nipscope/rules), else the configured install path, else ./rules. */
const char *cmd_default_rules_dir(void);

int cmd_classify(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_crawl(int argc, char **argv);
int cmd_reclassify(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_status(int argc, char **argv);

struct pipeline_config;
struct config;

/*
 * Take the config file's out, rules, sites, politeness, CA file and User-Agent
 * (with its contact) into 'cfg'; *ua receives an allocated User-Agent or stays
 * NULL, and cfg->user_agent points at it.  cmd_crawl.c; the daemon uses it too.
 */
void cmd_crawl_apply_config(struct pipeline_config *cfg, const struct config *file, char **ua);

/*
 * The years 'file' asks for, as the daemon keeps them: an explicit list as
 * given, each checked against the site profile <rules_dir>/sites/neurips.yaml
 * ("FILE:LINE:COL: years: ..." for one it lacks); "last: N" as the N most
 * recent years up to this one that the profile lists.  Fills years[] (room
 * for CONFIG_MAX_YEARS) in ascending order and *n; no year at all is
 * NSC_EINVAL.  A profile that cannot be read is prefixed with 'rules_origin'
 * (config_blame()).  cmd_daemon.c; `nipscope status` uses it too.
 */
int cmd_daemon_years(int *years, size_t *n, const struct config *file, const char *rules_dir,
                     const char *rules_origin);

#endif
