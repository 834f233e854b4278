/* SPDX-License-Identifier: Apache-2.0 */
/* Field tables of every resource, and the checks that go beyond types and ranges. */
#include "dlcs/model.h"

#include <regex.h>
#include <stddef.h>
#include <string.h>

#include "dlcs/ids.h"
#include "dlcs/named_query.h"
#include "dlcs/regex_cost.h"

#define KEY       DLCS_FF_KEY
#define AUTO      DLCS_FF_AUTO
#define RO        DLCS_FF_READONLY
#define INTERNAL  DLCS_FF_INTERNAL
#define WRITEONLY DLCS_FF_WRITEONLY
#define SORT      DLCS_FF_SORTABLE
#define REQ       DLCS_FF_REQUIRED
#define FILTER    DLCS_FF_FILTER
#define NOW_INS   DLCS_FF_NOW_INSERT
#define NOW_UPD   DLCS_FF_NOW_UPDATE
#define I64       DLCS_FT_INT64
#define INT       DLCS_FT_INT
#define BOOL      DLCS_FT_BOOL
#define STR       DLCS_FT_STRING
#define LIST      DLCS_FT_STRLIST
#define TIME      DLCS_FT_TIME
#define CHANNELS  DLCS_FT_CHANNELS
#define MAX_I64   INT64_MAX
#define MIN_I64   INT64_MIN

static int sent(const struct dlcs_entity *e, uint64_t present, const char *name)
{
    int i = dlcs_entity_field_index(e, name);

    return i >= 0 && (present & DLCS_FIELD_BIT(i));
}

/* ---- Customer ---------------------------------------------------------------------------- */

#define F(m) offsetof(struct dlcs_customer, m)
static const struct dlcs_field customer_fields[] = {
    {"id", I64, F(id), KEY | AUTO | RO | SORT | FILTER, 0, 0, 0},
    {"name", STR, F(name), REQ | SORT | FILTER, 0, DLCS_CUSTOMER_NAME_MAX, 0},
    {"displayName", STR, F(display_name), REQ | SORT | FILTER, 0, DLCS_NAME_MAX, 0},
    {"administrator", BOOL, F(administrator), FILTER, 0, 0, 0},
    {"acceptedAgreement", BOOL, F(accepted_agreement), 0, 0, 0, 0},
    {"created", TIME, F(created), RO | SORT | NOW_INS, 0, 0, 0},
};
#undef F

static enum dlcs_status check_customer(const void *obj, uint64_t present, struct dlcs_error *err)
{
    const struct dlcs_customer *c = obj;

    if (sent(&dlcs_customer_entity, present, "name") && c->name)
        return dlcs_id_check_customer_name(c->name, "name", err);
    return DLCS_OK;
}

const struct dlcs_entity dlcs_customer_entity = {"Customer",
                                                 "customers",
                                                 sizeof(struct dlcs_customer),
                                                 customer_fields,
                                                 DLCS_ARRAY_LEN(customer_fields),
                                                 check_customer};

/* ---- Key --------------------------------------------------------------------------------- */

#define F(m) offsetof(struct dlcs_key, m)
static const struct dlcs_field key_fields[] = {
    {"key", STR, F(key), KEY | RO, 0, 64, 0},
    {"customer", I64, F(customer), INTERNAL | FILTER, 0, 0, 0},
    {"secretHash", STR, F(secret_hash), INTERNAL, 0, 128, 0},
    {"created", TIME, F(created), RO | SORT | NOW_INS, 0, 0, 0},
};
#undef F

const struct dlcs_entity dlcs_key_entity = {
    "Key", "keys", sizeof(struct dlcs_key), key_fields, DLCS_ARRAY_LEN(key_fields), NULL};

/* ---- Space ------------------------------------------------------------------------------- */

#define F(m) offsetof(struct dlcs_space, m)
static const struct dlcs_field space_fields[] = {
    {"customer", I64, F(customer), KEY | INTERNAL | FILTER, 0, 0, 0},
    {"id", I64, F(id), KEY | AUTO | RO | SORT | FILTER, 0, 0, 0},
    {"name", STR, F(name), REQ | SORT | FILTER, 0, DLCS_NAME_MAX, 0},
    {"created", TIME, F(created), RO | SORT | NOW_INS, 0, 0, 0},
    {"defaultTags", LIST, F(default_tags), 0, 0, DLCS_LIST_MAX, 0},
    {"defaultRoles", LIST, F(default_roles), 0, 0, DLCS_LIST_MAX, 0},
    {"maxUnauthorised", INT, F(max_unauthorised), 0, -1, INT32_MAX, -1},
    {"thumbnailPolicy", STR, F(thumbnail_policy), 0, 0, DLCS_NAME_MAX, 0},
};
#undef F

static enum dlcs_status check_space(const void *obj, uint64_t present, struct dlcs_error *err)
{
    const struct dlcs_space *s = obj;

    if (sent(&dlcs_space_entity, present, "name") && (!s->name || !s->name[0]))
        return dlcs_error_set(err, DLCS_EINVAL, "field 'name' must not be empty");
    return DLCS_OK;
}

const struct dlcs_entity dlcs_space_entity = {
    "Space",    "spaces", sizeof(struct dlcs_space), space_fields, DLCS_ARRAY_LEN(space_fields),
    check_space};

/* ---- Asset ------------------------------------------------------------------------------- */

#define F(m) offsetof(struct dlcs_asset, m)
static const struct dlcs_field asset_fields[] = {
    {"customer", I64, F(customer), KEY | INTERNAL | FILTER, 0, 0, 0},
    {"space", I64, F(space), KEY | SORT | FILTER, 1, MAX_I64, 0},
    {"id", STR, F(id), KEY | SORT | FILTER, 0, DLCS_ASSET_ID_MAX, 0},
    {"origin", STR, F(origin), FILTER, 0, DLCS_ORIGIN_MAX, 0},
    {"mediaType", STR, F(media_type), SORT | FILTER, 0, DLCS_NAME_MAX, 0},
    {"family", STR, F(family), RO | FILTER, 0, 1, 0},
    {"string1", STR, F(string1), SORT | FILTER, 0, DLCS_METADATA_MAX, 0},
    {"string2", STR, F(string2), SORT | FILTER, 0, DLCS_METADATA_MAX, 0},
    {"string3", STR, F(string3), SORT | FILTER, 0, DLCS_METADATA_MAX, 0},
    {"number1", I64, F(number1), SORT | FILTER, MIN_I64, MAX_I64, 0},
    {"number2", I64, F(number2), SORT | FILTER, MIN_I64, MAX_I64, 0},
    {"number3", I64, F(number3), SORT | FILTER, MIN_I64, MAX_I64, 0},
    {"tags", LIST, F(tags), 0, 0, DLCS_LIST_MAX, 0},
    {"roles", LIST, F(roles), 0, 0, DLCS_LIST_MAX, 0},
    {"maxUnauthorised", INT, F(max_unauthorised), SORT | FILTER, -1, INT32_MAX, -1},
    {"deliveryChannels", CHANNELS, F(delivery_channels), 0, 0, 0, 0},
    {"width", I64, F(width), RO | SORT | FILTER, 0, 0, 0},
    {"height", I64, F(height), RO | SORT | FILTER, 0, 0, 0},
    {"duration", I64, F(duration), RO | SORT, 0, 0, 0},
    {"ingesting", BOOL, F(ingesting), RO | FILTER, 0, 0, 0},
    {"error", STR, F(error), RO | FILTER, 0, 0, 0},
    {"created", TIME, F(created), RO | SORT | NOW_INS, 0, 0, 0},
    {"finished", TIME, F(finished), RO | SORT, 0, 0, 0},
    {"modified", TIME, F(modified), RO | SORT | NOW_INS | NOW_UPD, 0, 0, 0},
    {"batch", I64, F(batch), RO | SORT | FILTER, 0, 0, 0},
    {"generation", I64, F(generation), INTERNAL, 0, 0, 0},
    {"size", I64, F(size), INTERNAL, 0, 0, 0},
    {"thumbnailSize", I64, F(thumbnail_size), INTERNAL, 0, 0, 0},
    {"served", I64, F(served), INTERNAL, 0, 0, 0},
    {"originSize", I64, F(origin_size), INTERNAL, 0, 0, 0},
};
#undef F

/* "type/subtype" with RFC 6838 restricted-name characters; parameters are not allowed. */
static int is_media_type(const char *s)
{
    static const char allowed[] = "!#$&-^_.+";
    int slashes = 0;
    size_t len = strlen(s);

    if (len < 3 || s[0] == '/' || s[len - 1] == '/')
        return 0;
    for (; *s; s++) {
        char c = *s;

        if (c == '/')
            slashes++;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c == '*') || strchr(allowed, c)))
            return 0;
    }
    return slashes == 1;
}

/* RFC 3986: scheme ":" something, the scheme a letter then letters, digits, '+', '-', '.'. */
static bool is_absolute_uri(const char *s)
{
    size_t n = 0;

    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    while (s[n] && s[n] != ':') {
        char c = s[n++];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return false;
    }
    return s[n] == ':' && s[n + 1] != '\0';
}

static enum dlcs_status check_asset(const void *obj, uint64_t present, struct dlcs_error *err)
{
    const struct dlcs_asset *a = obj;
    const struct dlcs_entity *e = &dlcs_asset_entity;

    if (sent(e, present, "id") && a->id && dlcs_id_check_asset(a->id, "id", err) != DLCS_OK)
        return err ? err->code : DLCS_EINVAL;
    if (sent(e, present, "mediaType") && a->media_type && !is_media_type(a->media_type))
        return dlcs_error_set(err, DLCS_EINVAL, "field 'mediaType' is not a media type ('%s')",
                              a->media_type);
    if (sent(e, present, "origin") && a->origin && !is_absolute_uri(a->origin))
        return dlcs_error_set(err, DLCS_EINVAL, "field 'origin' must be an absolute URI");
    return DLCS_OK;
}

const struct dlcs_entity dlcs_asset_entity = {
    "Image",    "assets", sizeof(struct dlcs_asset), asset_fields, DLCS_ARRAY_LEN(asset_fields),
    check_asset};

const char *dlcs_asset_family_for(const char *media_type)
{
    if (!media_type)
        return "I";
    if (strncmp(media_type, "image/", 6) == 0)
        return "I";
    if (strncmp(media_type, "audio/", 6) == 0 || strncmp(media_type, "video/", 6) == 0)
        return "T";
    return "F";
}

/* ---- Batch ------------------------------------------------------------------------------- */

#define F(m) offsetof(struct dlcs_batch, m)
static const struct dlcs_field batch_fields[] = {
    {"id", I64, F(id), KEY | AUTO | RO | SORT | FILTER, 0, 0, 0},
    {"customer", I64, F(customer), INTERNAL | FILTER, 0, 0, 0},
    {"count", I64, F(count), RO | SORT, 0, 0, 0},
    {"completed", I64, F(completed), RO | SORT, 0, 0, 0},
    {"errors", I64, F(errors), RO | SORT, 0, 0, 0},
    {"superseded", BOOL, F(superseded), RO | FILTER, 0, 0, 0},
    {"submitted", TIME, F(submitted), RO | SORT | NOW_INS, 0, 0, 0},
    {"finished", TIME, F(finished), RO | SORT | FILTER, 0, 0, 0},
    {"priority", BOOL, F(priority), RO | FILTER, 0, 0, 0},
};
#undef F

const struct dlcs_entity dlcs_batch_entity = {
    "Batch", "batches", sizeof(struct dlcs_batch), batch_fields, DLCS_ARRAY_LEN(batch_fields),
    NULL};

/* ---- NamedQuery -------------------------------------------------------------------------- */

#define F(m) offsetof(struct dlcs_named_query, m)
static const struct dlcs_field named_query_fields[] = {
    {"id", STR, F(id), KEY | AUTO | RO, 0, 64, 0},
    {"customer", I64, F(customer), INTERNAL | FILTER, 0, 0, 0},
    {"name", STR, F(name), REQ | SORT | FILTER, 0, DLCS_NAME_MAX, 0},
    {"template", STR, F(template), REQ, 0, DLCS_TEMPLATE_MAX, 0},
    {"global", BOOL, F(global), FILTER, 0, 0, 0},
};
#undef F

static enum dlcs_status check_named_query(const void *obj, uint64_t present, struct dlcs_error *err)
{
    const struct dlcs_named_query *q = obj;

    if (sent(&dlcs_named_query_entity, present, "name") &&
        (!q->name || dlcs_id_check_asset(q->name, "name", err) != DLCS_OK))
        return dlcs_error_set(err, DLCS_EINVAL, "field 'name' must be a URL path segment");
    if (sent(&dlcs_named_query_entity, present, "template") &&
        dlcs_nq_check(q->template, err) != DLCS_OK) {
        dlcs_error_prefix(err, "field 'template'");
        return DLCS_EINVAL;
    }
    return DLCS_OK;
}

const struct dlcs_entity dlcs_named_query_entity = {"NamedQuery",
                                                    "named_queries",
                                                    sizeof(struct dlcs_named_query),
                                                    named_query_fields,
                                                    DLCS_ARRAY_LEN(named_query_fields),
                                                    check_named_query};

/* ---- CustomerOriginStrategy -------------------------------------------------------------- */

#define F(m) offsetof(struct dlcs_origin_strategy, m)
static const struct dlcs_field origin_strategy_fields[] = {
    {"id", STR, F(id), KEY | AUTO | RO, 0, 64, 0},
    {"customer", I64, F(customer), INTERNAL | FILTER, 0, 0, 0},
    {"regex", STR, F(regex), REQ | FILTER, 0, 1024, 0},
    {"strategy", STR, F(strategy), REQ, 0, DLCS_NAME_MAX, 0},
    {"credentials", STR, F(credentials), WRITEONLY, 0, 4096, 0},
    {"optimised", BOOL, F(optimised), 0, 0, 0, 0},
    {"order", INT, F(order), SORT, 0, INT32_MAX, 0},
};
#undef F

static const char *const strategies[] = {
    "default", "basic-http-authentication", "s3-ambient", "s3", "ftp", NULL};

const char *const *dlcs_origin_strategy_types(void)
{
    return strategies;
}

static enum dlcs_status check_origin_strategy(const void *obj, uint64_t present,
                                              struct dlcs_error *err)
{
    const struct dlcs_origin_strategy *s = obj;
    const struct dlcs_entity *e = &dlcs_origin_strategy_entity;
    regex_t re;
    int rc;

    if (sent(e, present, "regex") && s->regex) {
        if (dlcs_regex_cost_check(s->regex, "regex", err) != DLCS_OK)
            return DLCS_EINVAL;
        rc = regcomp(&re, s->regex, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (rc != 0)
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "field 'regex' is not a POSIX extended regular expression");
        regfree(&re);
    }
    if (sent(e, present, "strategy") && s->strategy) {
        for (size_t i = 0; strategies[i]; i++) {
            if (strcmp(s->strategy, strategies[i]) == 0)
                return DLCS_OK;
        }
        return dlcs_error_set(err, DLCS_EINVAL,
                              "field 'strategy' must be one of default, "
                              "basic-http-authentication, s3-ambient, s3, ftp; not '%s'",
                              s->strategy);
    }
    return DLCS_OK;
}

const struct dlcs_entity dlcs_origin_strategy_entity = {"CustomerOriginStrategy",
                                                        "origin_strategies",
                                                        sizeof(struct dlcs_origin_strategy),
                                                        origin_strategy_fields,
                                                        DLCS_ARRAY_LEN(origin_strategy_fields),
                                                        check_origin_strategy};

/* ---- DeliveryChannelPolicy --------------------------------------------------------------- */

#define F(m) offsetof(struct dlcs_delivery_channel_policy, m)
static const struct dlcs_field dcp_fields[] = {
    {"customer", I64, F(customer), KEY | INTERNAL | FILTER, 0, 0, 0},
    {"channel", STR, F(channel), KEY | FILTER, 0, 32, 0}, /* from the path */
    {"name", STR, F(name), KEY | REQ | SORT | FILTER, 0, DLCS_NAME_MAX, 0},
    {"displayName", STR, F(display_name), 0, 0, DLCS_NAME_MAX, 0},
    {"policyData", STR, F(policy_data), REQ, 0, 8192, 0},
    {"policyCreated", TIME, F(policy_created), RO | SORT | NOW_INS, 0, 0, 0},
    {"policyModified", TIME, F(policy_modified), RO | SORT | NOW_INS | NOW_UPD, 0, 0, 0},
};
#undef F

static enum dlcs_status check_dcp(const void *obj, uint64_t present, struct dlcs_error *err)
{
    const struct dlcs_delivery_channel_policy *p = obj;
    const struct dlcs_entity *e = &dlcs_delivery_channel_policy_entity;
    json_t *data;
    int ok;

    if (sent(e, present, "name") && (!p->name || dlcs_id_check_asset(p->name, "name", err)))
        return dlcs_error_set(err, DLCS_EINVAL, "field 'name' must be a URL path segment");
    if (sent(e, present, "channel") && p->channel && strcmp(p->channel, "thumbs") != 0 &&
        strcmp(p->channel, "iiif-av") != 0)
        return dlcs_error_set(err, DLCS_EINVAL, "field 'channel' must be 'thumbs' or 'iiif-av'");
    if (sent(e, present, "policyData") && p->policy_data) {
        data = json_loads(p->policy_data, 0, NULL);
        ok = json_is_array(data) && json_array_size(data) > 0;
        json_decref(data);
        if (!ok)
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "field 'policyData' must be a JSON array encoded as a string");
    }
    return DLCS_OK;
}

const struct dlcs_entity dlcs_delivery_channel_policy_entity = {
    "DeliveryChannelPolicy",
    "delivery_channel_policies",
    sizeof(struct dlcs_delivery_channel_policy),
    dcp_fields,
    DLCS_ARRAY_LEN(dcp_fields),
    check_dcp};

/* ---- The entities of a store ------------------------------------------------------------ */

const struct dlcs_entity *const dlcs_store_entities[] = {
    &dlcs_customer_entity,        &dlcs_key_entity,
    &dlcs_space_entity,           &dlcs_asset_entity,
    &dlcs_batch_entity,           &dlcs_named_query_entity,
    &dlcs_origin_strategy_entity, &dlcs_delivery_channel_policy_entity};

const size_t dlcs_store_entity_count = DLCS_ARRAY_LEN(dlcs_store_entities);
