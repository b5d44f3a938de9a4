/*
 * fuzz_rules.c - libFuzzer: the rule loaders on arbitrary YAML.  The input is
 * written as one rule file (chosen by the first byte) beside the good test
 * set's countries.yaml, or as models.yaml (the mention scanner's patterns);
 * loading must succeed or fail cleanly with FILE:LINE:COL, never crash.
 */
#include "classify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "normalize.yaml", "places.yaml",   "institutions.yaml",
                                         "domains.yaml",   "policies.yaml", "countries.yaml",
                                         "models.yaml" };
    struct classify_rules *rules = NULL;
    struct buf diag = BUF_INIT;
    char path[128];
    FILE *f;

    if (!size)
        return 0;
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/fuzz_rules.%ld", (long)getpid());
        if (mkdir(dir, 0700) && access(dir, W_OK))
            abort();
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/countries.yaml", dir);
    f = fopen(path, "w");
    if (!f)
        abort();
    fputs("countries:\n  - {id: country.us, code: US, name: United States, names: [USA]}\n"
          "  - {id: country.cn, code: CN, name: China, names: [China]}\n",
          f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/%s", dir, names[data[0] % 7]);
    f = fopen(path, "w");
    if (!f)
        abort();
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    if (data[0] % 7 == 6) {
        struct mention_models *m = NULL;

        if (mention_models_load(&m, path, NULL) == 0) {
            struct mention_list l = MENTION_LIST_INIT;

            mention_scan(m, "We fine-tune Llama 2 and GPT-4.", 31, "abstract", &l);
            mention_list_release(&l);
            mention_models_free(m);
        } else if (strncmp(nsc_error_last(), path, strlen(path)) != 0 ||
                   nsc_error_last()[strlen(path)] != ':') {
            abort(); /* every message says where */
        }
        return 0;
    }
    if (classify_rules_load(&rules, dir, &diag) == 0) {
        struct classify_result res = CLASSIFY_RESULT_INIT;
        if (classify_run(rules, NULL, "Some Lab, USA; China", 20, "x.cn", &res))
            abort();
        classify_result_release(&res);
        classify_rules_free(rules);
    } else if (diag.len && !strchr(buf_cstr(&diag), ':')) {
        abort(); /* every message says where */
    }
    buf_release(&diag);
    return 0;
}
