/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs a fuzz target without libFuzzer (gcc and TSan builds): every corpus file as it is, then
 * a fixed number of mutations of each (byte flips, inserts, deletions, truncations, spliced
 * lines) from a fixed seed, so a failure is reproducible. The clang build runs the same target
 * under libFuzzer as well (tests/CMakeLists.txt).
 * Usage: fuzz_replay <mutations per file> <corpus dir or file>...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
    /* xorshift64*: small, reproducible, good enough to pick mutations. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static const char *const interesting[] = {
    "\r\n",   "--", "boundary=", "\"", ";", "\r\n\r\n", "Content-Disposition: form-data; name=",
    "--XyZ--"};

static size_t mutate(uint8_t *buf, size_t len)
{
    size_t pos = len ? (size_t)(next_random() % len) : 0;
    const char *ins;
    size_t n;

    switch (next_random() % 5) {
    case 0: /* flip a byte */
        if (len)
            buf[pos] ^= (uint8_t)(1u << (next_random() % 8));
        return len;
    case 1: /* delete a run */
        n = (size_t)(next_random() % 16);
        if (pos + n > len)
            n = len - pos;
        memmove(buf + pos, buf + pos + n, len - pos - n);
        return len - n;
    case 2: /* truncate */
        return pos;
    case 3: /* insert a token the grammar cares about */
        ins = interesting[next_random() % (sizeof interesting / sizeof interesting[0])];
        n = strlen(ins);
        if (len + n > FUZZ_MAX_INPUT)
            return len;
        memmove(buf + pos + n, buf + pos, len - pos);
        memcpy(buf + pos, ins, n);
        return len + n;
    default: /* a random byte */
        if (len < FUZZ_MAX_INPUT) {
            memmove(buf + pos + 1, buf + pos, len - pos);
            buf[pos] = (uint8_t)next_random();
            len++;
        }
        return len;
    }
}

static int run_file(const char *path, long mutations)
{
    static uint8_t seed[FUZZ_MAX_INPUT], work[FUZZ_MAX_INPUT];
    FILE *f = fopen(path, "rb");
    size_t len, n;
    long i;
    int k, rounds;

    if (f == NULL) {
        perror(path);
        return 1;
    }
    len = fread(seed, 1, sizeof seed, f);
    fclose(f);
    LLVMFuzzerTestOneInput(seed, len);
    for (i = 0; i < mutations; i++) {
        memcpy(work, seed, len);
        n = len;
        rounds = 1 + (int)(next_random() % 4);
        for (k = 0; k < rounds; k++)
            n = mutate(work, n);
        LLVMFuzzerTestOneInput(work, n);
    }
    return 0;
}

static int run_path(const char *path, long mutations)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char file[4096];
    int failed = 0, files = 0;

    if (d == NULL)
        return run_file(path, mutations);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        failed |= run_file(file, mutations);
        files++;
    }
    closedir(d);
    if (files == 0) {
        fprintf(stderr, "%s: no corpus files\n", path);
        return 1;
    }
    return failed;
}

int main(int argc, char **argv)
{
    long mutations;
    int i, failed = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s <mutations per file> <corpus>...\n", argv[0]);
        return 2;
    }
    mutations = strtol(argv[1], NULL, 10);
    for (i = 2; i < argc; i++)
        failed |= run_path(argv[i], mutations);
    printf("%s: %d corpus path(s), %ld mutations per file, no failure\n", argv[0], argc - 2,
           mutations);
    return failed;
}
