/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entity descriptors: one static table of fields per resource (model.c) drives the JSON codec,
 * input validation, copying and the store adapters' column/field mapping, so that a field is
 * declared once. Entities are plain C structs; the table says where each field lives.
 */
#ifndef DLCS_ENTITY_H
#define DLCS_ENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "dlcs/error.h"

/* A list of owned strings. Zero-initialised is an empty list. */
struct dlcs_strlist {
    char **items;
    size_t count;
};

/* One delivery channel of an asset: "iiif-img", "thumbs", "file", "iiif-av" or "none". */
struct dlcs_channel {
    char *channel; /* owned */
    char *policy;  /* owned; NULL = the default policy for the channel */
};

struct dlcs_channel_list {
    struct dlcs_channel *items;
    size_t count;
};

enum dlcs_field_type {
    DLCS_FT_INT64,    /* int64_t; JSON integer */
    DLCS_FT_INT,      /* int; JSON integer */
    DLCS_FT_BOOL,     /* bool; JSON true/false */
    DLCS_FT_STRING,   /* char * (owned, NULL = unset); JSON string */
    DLCS_FT_STRLIST,  /* struct dlcs_strlist; JSON array of strings */
    DLCS_FT_TIME,     /* int64_t ms since epoch, 0 = unset; JSON ISO 8601 string */
    DLCS_FT_CHANNELS, /* struct dlcs_channel_list; JSON array of names or objects */
};

enum dlcs_field_flags {
    DLCS_FF_KEY = 1 << 0,        /* part of the identity (primary key) */
    DLCS_FF_AUTO = 1 << 1,       /* key minted by the store when unset (0 / NULL) */
    DLCS_FF_READONLY = 1 << 2,   /* set by the system; an input body that sends it is refused */
    DLCS_FF_INTERNAL = 1 << 3,   /* never in JSON, in or out */
    DLCS_FF_WRITEONLY = 1 << 4,  /* accepted in input; output shows "xxx" */
    DLCS_FF_SORTABLE = 1 << 5,   /* may be named in orderBy */
    DLCS_FF_REQUIRED = 1 << 6,   /* must be present when the entity is created */
    DLCS_FF_FILTER = 1 << 7,     /* may be used as an equality filter in queries */
    DLCS_FF_NOW_INSERT = 1 << 8, /* time set to now by the store on insert when unset */
    DLCS_FF_NOW_UPDATE = 1 << 9, /* time set to now by the store on every update */
};

struct dlcs_field {
    const char *name; /* JSON property, store column and document field */
    enum dlcs_field_type type;
    size_t offset;
    unsigned flags;
    int64_t min, max; /* integers: range; strings and lists: max bytes / items (0 = no cap) */
    int64_t def;      /* integers: value after init */
};

/* Extra checks on an input, run by dlcs_entity_from_json on the fields that were sent. */
typedef enum dlcs_status (*dlcs_entity_check_fn)(const void *obj, uint64_t present,
                                                 struct dlcs_error *err);

struct dlcs_entity {
    const char *type;       /* Hydra type without prefix: "Image" -> "vocab:Image" */
    const char *collection; /* store table / collection name */
    size_t size;            /* sizeof the C struct */
    const struct dlcs_field *fields;
    size_t field_count; /* at most 64: presence is a uint64_t mask */
    dlcs_entity_check_fn check;
};

/* Bit of field 'index' in a presence mask. */
#define DLCS_FIELD_BIT(index) ((uint64_t)1 << (index))

/* Zero 'obj' and set integer defaults. Release with dlcs_entity_release. */
void dlcs_entity_init(const struct dlcs_entity *e, void *obj);

/* Free every owned member of 'obj' and re-init it. NULL-safe. */
void dlcs_entity_release(const struct dlcs_entity *e, void *obj);

/* Deep-copy the fields in 'mask' from 'src' to 'dst' (replacing what 'dst' held there). */
void dlcs_entity_merge(const struct dlcs_entity *e, void *dst, const void *src, uint64_t mask);

/* Index of the field called 'name', or -1. */
int dlcs_entity_field_index(const struct dlcs_entity *e, const char *name);

/* Mask of every field. */
uint64_t dlcs_entity_all(const struct dlcs_entity *e);

/* Mask of the fields with all of 'flags'. */
uint64_t dlcs_entity_mask(const struct dlcs_entity *e, unsigned flags);

/*
 * Decode a JSON object into 'obj' (initialised by the caller; absent fields keep their values).
 * '@context', '@id' and '@type' are accepted and ignored. Refused with DLCS_EINVAL, naming the
 * field: a non-object, an unknown or internal field, a read-only field, a wrong JSON type, a
 * number that is not an integer or is out of range, a string or list over its cap. '*present'
 * (may be NULL) receives the mask of fields that were sent. On failure 'obj' may hold some
 * decoded fields; the caller releases it as usual.
 */
enum dlcs_status dlcs_entity_from_json(const struct dlcs_entity *e, const json_t *in, void *obj,
                                       uint64_t *present, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* DLCS_EINVAL naming the first DLCS_FF_REQUIRED field missing from 'present'. */
enum dlcs_status dlcs_entity_check_required(const struct dlcs_entity *e, uint64_t present,
                                            struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Encode 'obj' as a new JSON object (caller owns; json_decref), without internal fields and
 * with write-only ones masked. Unset strings and times are omitted. Never NULL.
 */
json_t *dlcs_entity_to_json(const struct dlcs_entity *e, const void *obj);

/* Borrowed pointers to a field's storage inside 'obj'. */
void *dlcs_entity_field_ptr(const struct dlcs_field *f, void *obj);
const void *dlcs_entity_field_cptr(const struct dlcs_field *f, const void *obj);

/* String lists. */
void dlcs_strlist_push(struct dlcs_strlist *l, const char *s);
void dlcs_strlist_release(struct dlcs_strlist *l);
void dlcs_strlist_copy(struct dlcs_strlist *dst, const struct dlcs_strlist *src);
bool dlcs_strlist_contains(const struct dlcs_strlist *l, const char *s);

/* Channel lists. */
void dlcs_channels_push(struct dlcs_channel_list *l, const char *channel, const char *policy);
void dlcs_channels_release(struct dlcs_channel_list *l);
void dlcs_channels_copy(struct dlcs_channel_list *dst, const struct dlcs_channel_list *src);
bool dlcs_channels_has(const struct dlcs_channel_list *l, const char *channel);

/*
 * Delivery channels from JSON: an array of channel names or of objects {"channel", "policy"}
 * ('@type' allowed). Known channels only, no duplicates, not empty; "none" and "default" only
 * alone. Fills an empty 'out' (release it on failure too). DLCS_EINVAL says which item.
 */
enum dlcs_status dlcs_channels_from_json(const json_t *v, struct dlcs_channel_list *out,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Channels as a new JSON array of {"@type":"vocab:DeliveryChannel","channel","policy"}. */
json_t *dlcs_channels_to_json(const struct dlcs_channel_list *l);

/*
 * Lists as JSON text for stores that keep them in one column. Returns a new string
 * (free with free()). The parse functions fill an empty list; DLCS_EINVAL on malformed text.
 */
char *dlcs_strlist_to_text(const struct dlcs_strlist *l);
enum dlcs_status dlcs_strlist_from_text(const char *text, struct dlcs_strlist *l,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;
char *dlcs_channels_to_text(const struct dlcs_channel_list *l);
enum dlcs_status dlcs_channels_from_text(const char *text, struct dlcs_channel_list *l,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_ENTITY_H */
