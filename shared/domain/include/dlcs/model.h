/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resources of the registration API as C structs, and their entity descriptors
 * (dlcs_entity_*): Customer, Key, Space, Asset (Image), Batch, NamedQuery,
 * CustomerOriginStrategy and DeliveryChannelPolicy. Field names are those of the API
 * (../shared/reference/dlcs-api.md §1). Every struct is initialised with dlcs_entity_init
 * and released with dlcs_entity_release using its descriptor.
 */
#ifndef DLCS_MODEL_H
#define DLCS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "dlcs/entity.h"

#define DLCS_NAME_MAX     255  /* space names, display names, policy names */
#define DLCS_ORIGIN_MAX   8192 /* origins can be long signed URLs */
#define DLCS_METADATA_MAX 4000 /* string1..3 */
#define DLCS_TEMPLATE_MAX 2048 /* named-query templates */
#define DLCS_LIST_MAX     256  /* tags, roles */

struct dlcs_customer {
    int64_t id; /* minted */
    char *name;
    char *display_name;
    bool administrator;
    bool accepted_agreement;
    int64_t created;
};

struct dlcs_key {
    char *key;         /* public half, a random hex id */
    int64_t customer;  /* internal */
    char *secret_hash; /* internal: salted SHA-256 of the secret, never the secret */
    int64_t created;
};

struct dlcs_space {
    int64_t customer; /* internal, key */
    int64_t id;       /* key, minted per customer when 0 */
    char *name;
    int64_t created;
    struct dlcs_strlist default_tags;
    struct dlcs_strlist default_roles;
    int max_unauthorised;   /* -1 = open */
    char *thumbnail_policy; /* name of the thumbs delivery-channel policy for new images */
};

/* Where an asset is in its life: values of dlcs_asset.ingesting are booleans; see 'error'. */
struct dlcs_asset {
    int64_t customer; /* internal, key */
    int64_t space;    /* key */
    char *id;         /* key: a URL path segment, see dlcs_id_check_asset */
    char *origin;
    char *media_type;
    char *family; /* "I" image, "T" timebased, "F" file; derived */
    char *string1, *string2, *string3;
    int64_t number1, number2, number3;
    struct dlcs_strlist tags;
    struct dlcs_strlist roles;
    int max_unauthorised;
    struct dlcs_channel_list delivery_channels;
    int64_t width, height, duration; /* set by ingest */
    bool ingesting;
    char *error; /* last ingest error, NULL when none */
    int64_t created, finished;
    int64_t modified;   /* last change of any kind: registration, ingest, PATCH */
    int64_t batch;      /* current batch, 0 = none */
    int64_t generation; /* internal: bumped on every (re)registration; stale jobs carry old ones */
    int64_t size;       /* internal: bytes of the stored derivatives (set by ingest) */
    int64_t thumbnail_size; /* internal: bytes of the stored thumbnails (set by ingest) */
    int64_t served;         /* internal: the generation delivery reads (see asset_blobs.h) */
    int64_t origin_size;    /* internal: bytes of the uploaded original, 0 for a URL origin */
};

struct dlcs_batch {
    int64_t id;       /* minted */
    int64_t customer; /* internal */
    int64_t count, completed, errors;
    bool superseded;
    int64_t submitted, finished;
    bool priority;
};

struct dlcs_named_query {
    char *id;         /* minted UUID */
    int64_t customer; /* internal */
    char *name;
    char *template;
    bool global;
};

struct dlcs_origin_strategy {
    char *id;         /* minted UUID */
    int64_t customer; /* internal */
    char *regex;
    char *strategy;
    char *credentials; /* write-only */
    bool optimised;
    int order;
};

struct dlcs_delivery_channel_policy {
    int64_t customer; /* internal, key */
    char *channel;    /* key */
    char *name;       /* key */
    char *display_name;
    char *policy_data; /* JSON encoded as a string, as in the reference API */
    int64_t policy_created, policy_modified;
};

extern const struct dlcs_entity dlcs_customer_entity;
extern const struct dlcs_entity dlcs_key_entity;
extern const struct dlcs_entity dlcs_space_entity;
extern const struct dlcs_entity dlcs_asset_entity;
extern const struct dlcs_entity dlcs_batch_entity;
extern const struct dlcs_entity dlcs_named_query_entity;
extern const struct dlcs_entity dlcs_origin_strategy_entity;
extern const struct dlcs_entity dlcs_delivery_channel_policy_entity;

/* Every entity a store keeps, one table for every adapter: an adapter sizes its own from it. */
extern const struct dlcs_entity *const dlcs_store_entities[];
extern const size_t dlcs_store_entity_count;

/* The family an asset of 'media_type' belongs to: "I", "T" or "F". Borrowed, static. */
const char *dlcs_asset_family_for(const char *media_type);

/* The origin strategy types ("default", "basic-http-authentication", ...), NULL-ended. Static. */
const char *const *dlcs_origin_strategy_types(void);

#endif /* DLCS_MODEL_H */
