/* SPDX-License-Identifier: Apache-2.0 */
/* Identifiers: validation of caller-chosen ids and names, and random ids and secrets. */
#ifndef DLCS_IDS_H
#define DLCS_IDS_H

#include <stddef.h>

#include "dlcs/error.h"

#define DLCS_ASSET_ID_MAX      255 /* bytes in an asset id */
#define DLCS_CUSTOMER_NAME_MAX 64  /* bytes in a customer name (a URL slug) */
#define DLCS_UUID_BUF          37  /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" + NUL */

/*
 * Check that 'id' can be an asset id: 1..DLCS_ASSET_ID_MAX bytes of what RFC 3986 allows
 * unencoded in a path segment (unreserved, sub-delims, ':' and '@'), and not "." or "..".
 * '%' is refused so that an id never means two things once percent-decoded. 'field' names
 * the field in the message. DLCS_EINVAL says which character at which position is wrong.
 */
enum dlcs_status dlcs_id_check_asset(const char *id, const char *field,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Check a customer name: a URL slug of 1..DLCS_CUSTOMER_NAME_MAX bytes of [a-z0-9._-],
 * starting with a letter or digit, not all digits (public URLs take the id or the name, so a
 * numeric name would be ambiguous) and not "v<digits>" (that would read as an API version).
 */
enum dlcs_status dlcs_id_check_customer_name(const char *name, const char *field,
                                             struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Write a random (version 4) UUID into 'buf' (DLCS_UUID_BUF bytes). Thread-safe. */
void dlcs_id_uuid(char *buf);

/* Fill 'buf' with 'len' bytes from the kernel's CSPRNG; aborts if it cannot (never at run time). */
void dlcs_id_random(void *buf, size_t len);

/* Write 'len' random bytes as 2*len lowercase hex characters + NUL into 'out'. */
void dlcs_id_random_hex(char *out, size_t len);

#endif /* DLCS_IDS_H */
