/* SPDX-License-Identifier: Apache-2.0 */
/* base64url (RFC 4648 §5) without padding: opaque tokens that go into URLs as they are. */
#ifndef DLCS_B64URL_H
#define DLCS_B64URL_H

#include <stddef.h>

#include "dlcs/error.h"

/* 'len' bytes of 'data' as a new NUL-terminated string (caller frees). */
char *dlcs_b64url_encode(const void *data, size_t len);

/*
 * Decode 'text' (no padding, no other characters) into a new buffer '*out' of '*len' bytes,
 * NUL-terminated after them (caller frees). DLCS_EINVAL for a character outside the alphabet
 * or a length no encoding has; 'field' names the input in the message.
 */
enum dlcs_status dlcs_b64url_decode(const char *text, const char *field, unsigned char **out,
                                    size_t *len, struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_B64URL_H */
