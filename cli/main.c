/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one dlcs binary: load config, initialise libraries, wire the components for the chosen
 * role, run until SIGTERM/SIGINT, shut down.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "dlcs/adapters.h"
#include "dlcs/api.h"
#include "dlcs/blobstore.h"
#include "dlcs/config.h"
#include "dlcs/convert.h"
#include "dlcs/fs.h"
#include "dlcs/http_server.h"
#include "dlcs/iiif_server.h"
#include "dlcs/keys.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/outbox_relay.h"
#include "dlcs/reconciler.h"
#include "dlcs/slots.h"
#include "dlcs/stop.h"
#include "dlcs/store.h"
#include "dlcs/vips_setup.h"

#include "cli.h"

#define DLCS_VERSION "0.1.0"

struct role {
    const char *name;
    const char *summary;
    int (*run)(const struct dlcs_config *cfg, const char *role, const struct cli_args *args);
};

static int run_server(const struct dlcs_config *cfg, const char *role, const struct cli_args *args);

static const struct role roles[] = {
    {"serve", "everything in one process on embedded defaults: API, workers, IIIF", run_server},
    {"api", "the Hydra registration API only", run_server},
    {"worker", "ingest workers only: claim queued jobs and convert (health on the HTTP port)",
     run_server},
    {"iiif", "the IIIF delivery server only (Image API 3.0/2.1, thumbnails)", run_server},
    {"ingest", "ORIGIN [--out DIR]: fetch and convert one image into DIR, for operators",
     dlcs_cli_ingest},
    {"keys", "create --admin | --customer N: a new API key, printed once as key:secret",
     dlcs_cli_keys},
};

static void usage(FILE *out)
{
    fprintf(out,
            "dlcs %s - Digital Library Cloud Services\n\n"
            "usage: dlcs ROLE [args]\n       dlcs --help | --version | --print-config\n\n"
            "roles:\n",
            DLCS_VERSION);
    for (size_t i = 0; i < DLCS_ARRAY_LEN(roles); i++)
        fprintf(out, "  %-8s %s\n", roles[i].name, roles[i].summary);
    fprintf(out, "\nsettings (environment variables):\n");
    dlcs_config_print_help(out);
}

enum dlcs_status dlcs_cli_open_store(const struct dlcs_config *cfg, struct dlcs_store **store,
                                     struct dlcs_error *err)
{
    if (dlcs_fs_mkdirs(cfg->data_dir, err) != DLCS_OK) {
        dlcs_error_prefix(err, "DLCS_DATA_DIR");
        return err->code;
    }
    return dlcs_store_open(cfg->store, cfg, store, err);
}

/* Block the stop signals in every thread (threads inherit the mask); main waits for them. */
static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* Everything a server role owns, released in reverse order. */
struct server {
    struct dlcs_store *store;
    struct dlcs_blobstore *blobs;
    struct dlcs_queue *queue;
    struct dlcs_outbox_relay *relay;
    struct dlcs_reconciler *reconciler;
    struct cli_ingester ingester;
    struct dlcs_slots *immediate;
    struct dlcs_worker_pool *workers;
    struct dlcs_http_server *http;
    struct dlcs_api_context api;
    struct dlcs_iiif_context iiif;
};

static bool serves_iiif(const char *role)
{
    return strcmp(role, "serve") == 0 || strcmp(role, "iiif") == 0;
}

static bool serves_api(const char *role)
{
    return strcmp(role, "serve") == 0 || strcmp(role, "api") == 0;
}

static bool runs_workers(const char *role)
{
    return strcmp(role, "serve") == 0 || strcmp(role, "worker") == 0;
}

static enum dlcs_status start_workers(const struct dlcs_config *cfg, struct server *s,
                                      struct dlcs_error *err)
{
    const struct dlcs_worker_options opt = {s->queue, cfg->workers, cfg->job_attempts,
                                            cfg->job_retry_base_ms, 200};

    if (cfg->workers == 0)
        return DLCS_OK; /* DLCS_WORKERS=0: this process only queues (e.g. to measure the API) */
    return dlcs_worker_pool_start(&s->ingester.env, &opt, &s->workers, err);
}

/* The queue, and its relay when the outbox is not the queue itself (every api and worker). */
static enum dlcs_status open_queue(const struct dlcs_config *cfg, struct server *s,
                                   struct dlcs_error *err)
{
    const struct dlcs_outbox_relay_options relay = {cfg->worker_id, cfg->relay_batch, 0, 0, 0};
    const struct dlcs_reconciler_options reconcile = {cfg->worker_id, cfg->reconcile_after_ms,
                                                      cfg->reconcile_every_ms, 0};

    if (dlcs_queue_open(cfg->queue, cfg, s->store, &s->queue, err) != DLCS_OK)
        return err->code;
    if (cfg->reconcile_after_ms > 0 &&
        dlcs_reconciler_start(s->store, &reconcile, &s->reconciler, err) != DLCS_OK)
        return err->code;
    if (s->queue->needs_relay)
        return dlcs_outbox_relay_start(s->store, s->queue, &relay, &s->relay, err);
    return DLCS_OK;
}

static enum dlcs_status register_routes(struct server *s, const char *role, struct dlcs_error *err)
{
    if (dlcs_api_register_health(s->http, &s->api, err) != DLCS_OK)
        return err->code;
    if (serves_api(role) && dlcs_api_register(s->http, &s->api, err) != DLCS_OK)
        return err->code;
    if (serves_iiif(role) && dlcs_iiif_register(s->http, &s->iiif, err) != DLCS_OK)
        return err->code;
    return DLCS_OK;
}

static enum dlcs_status start_http(const struct dlcs_config *cfg, struct server *s,
                                   const char *role, struct dlcs_error *err)
{
    char *spool = dlcs_xasprintf("%s/bodies", cfg->scratch_dir);
    const struct dlcs_http_options opt = {cfg->http_bind,
                                          cfg->http_port,
                                          cfg->http_threads,
                                          cfg->http_max_body,
                                          cfg->http_max_buffered,
                                          spool,
                                          cfg->http_trusted_proxies,
                                          cfg->port_file,
                                          serves_iiif(role) ? dlcs_iiif_thread_done : NULL};
    char fields[128];
    enum dlcs_status st = dlcs_fs_mkdirs(spool, err);

    if (st == DLCS_OK)
        st = dlcs_http_server_new(&opt, &s->http, err); /* copies the spool path */
    free(spool);
    if (st != DLCS_OK || register_routes(s, role, err) != DLCS_OK ||
        dlcs_http_server_start(s->http, err) != DLCS_OK)
        return err->code;
    (void)snprintf(fields, sizeof fields, "addr=%s port=%d url=http://%s:%d/", cfg->http_bind,
                   dlcs_http_server_port(s->http),
                   strcmp(cfg->http_bind, "0.0.0.0") == 0 ? "127.0.0.1" : cfg->http_bind,
                   dlcs_http_server_port(s->http));
    dlcs_log_kv(DLCS_LOG_INFO, fields, "listening");
    return DLCS_OK;
}

/* The first admin key: DLCS_BOOTSTRAP_ADMIN's, or a new one printed once on first start. */
static enum dlcs_status bootstrap_admin(const struct dlcs_config *cfg, struct dlcs_store *store,
                                        struct dlcs_error *err)
{
    char key[DLCS_SECRET_BUF], secret[DLCS_SECRET_BUF];
    bool created = false;
    enum dlcs_status st =
        dlcs_keys_ensure_admin(store, cfg->bootstrap_admin, key, secret, &created, err);

    if (st != DLCS_OK || !created)
        return st;
    if (cfg->bootstrap_admin) {
        dlcs_log(DLCS_LOG_INFO, "admin key '%s' created from DLCS_BOOTSTRAP_ADMIN", key);
    } else {
        printf("admin key (shown once, keep it): %s:%s\n", key, secret);
        fflush(stdout);
        dlcs_log(DLCS_LOG_INFO, "created the first admin key '%s' (printed on stdout)", key);
    }
    return DLCS_OK;
}

static enum dlcs_status open_server(const struct dlcs_config *cfg, const char *role,
                                    struct server *s, struct dlcs_error *err)
{
    if (dlcs_cli_open_store(cfg, &s->store, err) != DLCS_OK)
        return err->code;
    if (dlcs_blobstore_open(cfg->storage, cfg, &s->blobs, err) != DLCS_OK)
        return err->code;
    if ((serves_api(role) || runs_workers(role)) && open_queue(cfg, s, err) != DLCS_OK)
        return err->code;
    if (dlcs_cli_ingester_init(&s->ingester, cfg, s->store, s->blobs, err) != DLCS_OK)
        return err->code;
    if (runs_workers(role) && start_workers(cfg, s, err) != DLCS_OK)
        return err->code;
    if (serves_api(role)) {
        if (bootstrap_admin(cfg, s->store, err) != DLCS_OK)
            return err->code;
        s->immediate = dlcs_slots_new(cfg->immediate_slots, cfg->immediate_wait_ms);
        s->api =
            (struct dlcs_api_context){cfg,          s->store,     s->blobs, dlcs_cli_ingest_asset,
                                      &s->ingester, s->immediate, s->queue, s->relay};
    } else {
        s->api = (struct dlcs_api_context){cfg,  s->store, s->blobs, NULL,
                                           NULL, NULL,     s->queue, s->relay};
    }
    if (serves_iiif(role)) {
        if (dlcs_vips_init("dlcs", cfg->vips_concurrency, cfg->vips_cache_mb, err) != DLCS_OK)
            return err->code;
        dlcs_iiif_context_init(&s->iiif, cfg, s->store, s->blobs);
    }
    return start_http(cfg, s, role, err);
}

static int run_server(const struct dlcs_config *cfg, const char *role, const struct cli_args *args)
{
    struct dlcs_error err = {0};
    struct server s;
    sigset_t stop;
    int sig = 0, rc = 1;

    (void)args;
    memset(&s, 0, sizeof s);
    block_stop_signals(&stop);
    dlcs_cli_config_log(cfg);
    if (open_server(cfg, role, &s, &err) == DLCS_OK) {
        dlcs_log(DLCS_LOG_INFO, "dlcs %s started as '%s'", DLCS_VERSION, role);
        sigwait(&stop, &sig);
        dlcs_log(DLCS_LOG_INFO, "stopping on signal %d: draining for up to %d ms", sig,
                 cfg->drain_ms);
        /* the jobs in hand end (bounded by DLCS_DRAIN_MS) while requests are still answered */
        (void)dlcs_worker_pool_drain(s.workers, cfg->drain_ms);
        dlcs_stop_request(); /* fetches, backoffs and conversions give up within a second */
        rc = 0;
    } else {
        dlcs_log(DLCS_LOG_ERROR, "%s", err.message);
    }
    dlcs_http_server_free(s.http);
    dlcs_worker_pool_stop(s.workers); /* each worker finishes its current job */
    dlcs_reconciler_stop(s.reconciler);
    dlcs_outbox_relay_stop(s.relay); /* what it could not publish waits in the outbox */
    dlcs_queue_free(s.queue);
    dlcs_iiif_context_release(&s.iiif);
    dlcs_slots_free(s.immediate);
    dlcs_cli_ingester_release(&s.ingester);
    dlcs_blobstore_free(s.blobs);
    dlcs_store_free(s.store);
    if (rc == 0)
        dlcs_log(DLCS_LOG_INFO, "stopped");
    return rc;
}

static const struct role *find_role(const char *name)
{
    for (size_t i = 0; i < DLCS_ARRAY_LEN(roles); i++) {
        if (strcmp(roles[i].name, name) == 0)
            return &roles[i];
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct dlcs_config cfg;
    struct dlcs_error err = {0};
    const struct role *role;
    int rc;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "__convert") == 0) /* internal: an isolated conversion, see convert.h */
        return dlcs_convert_child_main(argc - 2, argv + 2);
    if (strcmp(argv[1], "--version") == 0) {
        printf("dlcs %s\n", DLCS_VERSION);
        return 0;
    }
    role = find_role(argv[1]);
    if (!role && strcmp(argv[1], "--print-config") != 0) {
        fprintf(stderr, "dlcs: unknown role '%s'; see 'dlcs --help'\n", argv[1]);
        return 2;
    }
    if (dlcs_config_load(&cfg, NULL, NULL, &err) != DLCS_OK ||
        dlcs_cli_config_resolve(&cfg, &err) != DLCS_OK) {
        fprintf(stderr, "dlcs: invalid configuration: %s\n", err.message);
        dlcs_config_release(&cfg);
        return 2;
    }
    if (!role) {
        dlcs_config_print(&cfg, stdout);
        dlcs_config_release(&cfg);
        return 0;
    }
    dlcs_cli_config_resolve_role(&cfg, role->name);
    dlcs_log_set_level(cfg.log_level);
    dlcs_log_set_service(role->name);
    dlcs_log_route_libraries();
    json_object_seed(0);
    {
        const struct cli_args args = {argc - 2, argv + 2};

        rc = role->run(&cfg, role->name, &args);
    }
    dlcs_config_release(&cfg);
    return rc;
}
