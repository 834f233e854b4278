/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading S3's XML answers (ListObjectsV2, CreateMultipartUpload, DeleteObjects, errors):
 * flat elements found by name, text with the five predefined entities and numeric character
 * references decoded. S3's documents have no attributes or CDATA where dlcs reads them.
 */
#ifndef DLCS_S3_XML_H
#define DLCS_S3_XML_H

#include <stddef.h>

/*
 * The text of the next <tag>…</tag> at or after '*pos' in 'xml' (new string), moving '*pos'
 * past it; NULL when there is none. 'tag' is a plain name ("Key").
 */
char *dlcs_s3_xml_next(const char *xml, const char *tag, const char **pos);

/* The text of the first <tag> in 'xml' (new string), or NULL. */
char *dlcs_s3_xml_first(const char *xml, const char *tag);

/* 's' escaped for XML text (new string). */
char *dlcs_s3_xml_escape(const char *s);

#endif /* DLCS_S3_XML_H */
