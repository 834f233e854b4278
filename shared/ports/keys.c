/* SPDX-License-Identifier: Apache-2.0 */
/* API keys: creation, verification in constant time, and the first admin key. */
#include "dlcs/keys.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "dlcs/ids.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

static char *secret_hash(const char *key, const char *secret)
{
    char *input = dlcs_xasprintf("dlcs-key-v1:%s:%s", key, secret);
    gchar *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, input, -1);
    char *out = dlcs_xstrdup(h);

    g_free(h);
    free(input);
    return out;
}

static bool same(const char *a, const char *b)
{
    size_t n = strlen(a);
    unsigned char diff = (unsigned char)(n != strlen(b));

    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ (b[i] ? b[i] : 0));
    return diff == 0;
}

static enum dlcs_status store_key(struct dlcs_store *store, int64_t customer, const char *key,
                                  const char *secret, struct dlcs_error *err)
{
    struct dlcs_key k;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_key_entity, &k);
    k.key = dlcs_xstrdup(key);
    k.customer = customer;
    k.secret_hash = secret_hash(key, secret);
    st = dlcs_store_insert(store, &dlcs_key_entity, &k, err);
    dlcs_entity_release(&dlcs_key_entity, &k);
    return st;
}

enum dlcs_status dlcs_keys_create(struct dlcs_store *store, int64_t customer,
                                  char key[DLCS_KEY_BUF], char secret[DLCS_SECRET_BUF],
                                  struct dlcs_error *err)
{
    struct dlcs_customer c;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_customer_entity, &c);
    c.id = customer;
    st = dlcs_store_get(store, &dlcs_customer_entity, &c, err);
    dlcs_entity_release(&dlcs_customer_entity, &c);
    if (st != DLCS_OK)
        return st;
    dlcs_id_random_hex(key, DLCS_KEY_ID_LEN / 2);
    dlcs_id_random_hex(secret, DLCS_SECRET_LEN / 2);
    return store_key(store, customer, key, secret, err);
}

enum dlcs_status dlcs_keys_verify(struct dlcs_store *store, const char *key, const char *secret,
                                  int64_t *customer, bool *admin, struct dlcs_error *err)
{
    struct dlcs_key k;
    struct dlcs_customer c;
    struct dlcs_error get_err = {0};
    char *want = NULL;
    enum dlcs_status st;

    *customer = 0;
    *admin = false;
    if (!key || !secret || strlen(key) > 64 || strlen(secret) > 128)
        return dlcs_error_set(err, DLCS_EAUTH, "unknown key or wrong secret");
    dlcs_entity_init(&dlcs_key_entity, &k);
    dlcs_entity_init(&dlcs_customer_entity, &c);
    k.key = dlcs_xstrdup(key);
    st = dlcs_store_get(store, &dlcs_key_entity, &k, &get_err);
    want = secret_hash(key, secret);
    if (st != DLCS_OK && st != DLCS_ENOTFOUND) { /* a failing store is not a wrong secret */
        st = dlcs_error_set(err, st, "cannot check the key now: %s", get_err.message);
    } else if (st != DLCS_OK || !k.secret_hash || !same(want, k.secret_hash)) {
        st = dlcs_error_set(err, DLCS_EAUTH, "unknown key or wrong secret");
    } else {
        c.id = k.customer;
        st = dlcs_store_get(store, &dlcs_customer_entity, &c, err);
        *customer = k.customer;
        *admin = st == DLCS_OK && c.administrator;
    }
    free(want);
    dlcs_entity_release(&dlcs_customer_entity, &c);
    dlcs_entity_release(&dlcs_key_entity, &k);
    return st;
}

/* The administrator customer's id, created as "admin" when there is none. */
static enum dlcs_status admin_customer(struct dlcs_store *store, int64_t *id,
                                       struct dlcs_error *err)
{
    struct dlcs_query q = {.limit = 1};
    struct dlcs_customer c;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_customer_entity, &c);
    dlcs_query_eq_int(&q, "administrator", 1);
    dlcs_query_order(&q, "id", false);
    st = dlcs_store_find_one(store, &dlcs_customer_entity, &q, &c, err);
    if (st == DLCS_ENOTFOUND) {
        dlcs_error_clear(err);
        dlcs_entity_release(&dlcs_customer_entity, &c);
        c.name = dlcs_xstrdup("admin");
        c.display_name = dlcs_xstrdup("Administrators");
        c.administrator = true;
        st = dlcs_store_insert(store, &dlcs_customer_entity, &c, err);
    }
    *id = c.id;
    dlcs_entity_release(&dlcs_customer_entity, &c);
    return st;
}

static bool admin_key_exists(struct dlcs_store *store, int64_t admin)
{
    struct dlcs_query q = {.limit = 1};
    int64_t n = 0;

    dlcs_query_eq_int(&q, "customer", admin);
    return dlcs_store_count(store, &dlcs_key_entity, &q, &n, NULL) == DLCS_OK && n > 0;
}

static bool is_hex(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);

    if (n < min || n > max)
        return false;
    for (; *s; s++) {
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
            return false;
    }
    return true;
}

enum dlcs_status dlcs_keys_create_admin(struct dlcs_store *store, char key[DLCS_KEY_BUF],
                                        char secret[DLCS_SECRET_BUF], struct dlcs_error *err)
{
    int64_t admin = 0;
    enum dlcs_status st = admin_customer(store, &admin, err);

    if (st != DLCS_OK)
        return st;
    return dlcs_keys_create(store, admin, key, secret, err);
}

enum dlcs_status dlcs_keys_ensure_admin(struct dlcs_store *store, const char *given,
                                        char key[DLCS_SECRET_BUF], char secret[DLCS_SECRET_BUF],
                                        bool *created, struct dlcs_error *err)
{
    const char *colon = given ? strchr(given, ':') : NULL;
    int64_t admin = 0;
    enum dlcs_status st;

    *created = false;
    if (given && (!colon || (size_t)(colon - given) >= DLCS_SECRET_BUF))
        return dlcs_error_set(err, DLCS_EINVAL, "DLCS_BOOTSTRAP_ADMIN must be key:secret");
    if (given) {
        memcpy(key, given, (size_t)(colon - given));
        key[colon - given] = '\0';
        if (strlen(colon + 1) >= DLCS_SECRET_BUF || !is_hex(key, 8, 64) ||
            !is_hex(colon + 1, 8, 64))
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "DLCS_BOOTSTRAP_ADMIN: key and secret must be 8 to 64 hex "
                                  "characters each");
        memcpy(secret, colon + 1, strlen(colon + 1) + 1);
    }
    st = admin_customer(store, &admin, err);
    if (st != DLCS_OK)
        return st;
    if (admin_key_exists(store, admin))
        return DLCS_OK;
    if (!given) {
        dlcs_id_random_hex(key, DLCS_KEY_ID_LEN / 2);
        dlcs_id_random_hex(secret, DLCS_SECRET_LEN / 2);
    }
    st = store_key(store, admin, key, secret, err);
    *created = st == DLCS_OK;
    return st;
}
