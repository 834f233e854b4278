/* SPDX-License-Identifier: Apache-2.0 */
/* dlcs ingest ORIGIN [--out DIR]: one conversion from the command line, for operators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "dlcs/adapters.h"
#include "dlcs/ingest.h"
#include "dlcs/log.h"

#include "cli.h"

static int usage(void)
{
    fprintf(stderr, "usage: dlcs ingest ORIGIN [--out DIR]\n"
                    "  ORIGIN: http(s)://, ftp(s)://, s3://bucket/key or file:///path\n"
                    "  DIR:    where image.tif, thumbs/ and sizes.json go (default: .)\n");
    return 2;
}

static void print_report(const char *out, const struct dlcs_ingest_report *r)
{
    const struct dlcs_convert_result *c = &r->convert;

    printf("format   %s\n", dlcs_image_format_name(c->format));
    printf("width    %d\nheight   %d\n", c->width, c->height);
    printf("files    %s/image.tif (%lld bytes)\n", out, (long long)r->derivative_bytes);
    for (size_t i = 0; i < c->thumb_count; i++)
        printf("         %s/%s\n", out, c->thumbs[i].file);
    if (c->has_jp2)
        printf("         %s/image.jp2\n", out);
    printf("         %s/sizes.json\n", out);
    printf("time     fetch %.0f ms (%lld bytes, %d attempt%s), decode+pyramid %.0f ms, "
           "thumbnails %.0f ms, jp2 %.0f ms, store %.0f ms, total %.0f ms\n",
           r->ms_fetch, (long long)r->fetch.bytes, r->fetch.attempts,
           r->fetch.attempts == 1 ? "" : "s", c->ms_decode_and_pyramid, c->ms_thumbs, c->ms_jp2,
           r->ms_store, r->ms_total);
}

int dlcs_cli_ingest(const struct dlcs_config *cfg, const char *role, const struct cli_args *args)
{
    const char *origin = NULL, *out = ".";
    struct dlcs_ingest_settings settings;
    struct dlcs_ingest_report report;
    struct dlcs_blobstore *blobs = NULL;
    struct dlcs_error err = {0};
    enum dlcs_status st;

    (void)role;
    for (int i = 0; i < args->argc; i++) {
        if (strcmp(args->argv[i], "--out") == 0 && i + 1 < args->argc)
            out = args->argv[++i];
        else if (!origin && args->argv[i][0] != '-')
            origin = args->argv[i];
        else
            return usage();
    }
    if (!origin)
        return usage();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    st = dlcs_ingest_settings_init(&settings, cfg, &err);
    settings.convert_helper = "/proc/self/exe"; /* decoders run in a child: see convert.h */
    if (st == DLCS_OK)
        st = dlcs_blobstore_open(out, cfg, &blobs, &err);
    if (st == DLCS_OK)
        st = dlcs_ingest_one(&settings, origin, NULL, blobs, NULL, &report, &err);
    if (st == DLCS_OK)
        print_report(out, &report);
    else
        dlcs_log(DLCS_LOG_ERROR, "ingest failed (%s): %s",
                 dlcs_status_is_transient(st) ? "transient" : "permanent", err.message);
    dlcs_blobstore_free(blobs);
    dlcs_ingest_settings_release(&settings);
    curl_global_cleanup();
    if (st == DLCS_OK)
        return 0;
    return dlcs_status_is_transient(st) ? 75 : 1; /* 75 = EX_TEMPFAIL: try again later */
}
