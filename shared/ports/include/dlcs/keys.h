/* SPDX-License-Identifier: Apache-2.0 */
/*
 * API keys: a public key id and a secret shown once. Only a salted SHA-256 of the secret is
 * stored (secrets are 256 random bits, so a fast hash is enough). A key belongs to a customer;
 * keys of an administrator customer are admin keys.
 */
#ifndef DLCS_KEYS_H
#define DLCS_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "dlcs/error.h"
#include "dlcs/store.h"

#define DLCS_KEY_ID_LEN 32 /* hex characters */
#define DLCS_SECRET_LEN 64
#define DLCS_KEY_BUF    (DLCS_KEY_ID_LEN + 1)
#define DLCS_SECRET_BUF (DLCS_SECRET_LEN + 1)

/*
 * Create a key for 'customer' (which must exist: DLCS_ENOTFOUND). Writes the key id and the
 * secret (returned once, never stored) into the caller's buffers.
 */
enum dlcs_status dlcs_keys_create(struct dlcs_store *store, int64_t customer,
                                  char key[DLCS_KEY_BUF], char secret[DLCS_SECRET_BUF],
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Check 'key' and 'secret'. On DLCS_OK '*customer' and '*admin' say whose key it is.
 * DLCS_EAUTH for an unknown key or a wrong secret (the same answer, compared in constant time).
 */
enum dlcs_status dlcs_keys_verify(struct dlcs_store *store, const char *key, const char *secret,
                                  int64_t *customer, bool *admin,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Make sure an admin key exists: when none does, create the administrator customer ("admin")
 * if needed and a key for it — with the given "key:secret" ('given' may be NULL: a random one).
 * '*created' says whether a key was made now; the new key id and secret are written to the
 * buffers then. DLCS_EINVAL when 'given' is not key:secret of hex characters (8..64 each).
 */
enum dlcs_status dlcs_keys_ensure_admin(struct dlcs_store *store, const char *given,
                                        char key[DLCS_SECRET_BUF], char secret[DLCS_SECRET_BUF],
                                        bool *created, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Create a key for the administrator customer, creating that customer if needed. */
enum dlcs_status dlcs_keys_create_admin(struct dlcs_store *store, char key[DLCS_KEY_BUF],
                                        char secret[DLCS_SECRET_BUF],
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_KEYS_H */
