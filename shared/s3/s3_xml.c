/* SPDX-License-Identifier: Apache-2.0 */
#include "dlcs/s3_xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

/* Append the UTF-8 encoding of code point 'cp' (invalid ones become '?'). */
static char *put_utf8(char *o, unsigned long cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *o++ = '?';
    } else if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Decode one entity at 's' (just after '&') into 'o'; returns the new 'o', '*s' moved past. */
static char *decode_entity(const char **s, char *o, const char *end)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    const char *semi = memchr(*s, ';', (size_t)(end - *s));

    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t n = strlen(named[i].name);

        if ((size_t)(end - *s) >= n && memcmp(*s, named[i].name, n) == 0) {
            *s += n;
            *o++ = named[i].c;
            return o;
        }
    }
    if (semi && **s == '#') {
        const char *num = *s + 1;
        int base = (*num == 'x' || *num == 'X') ? 16 : 10;

        o = put_utf8(o, strtoul(num + (base == 16), NULL, base));
        *s = semi + 1;
        return o;
    }
    *o++ = '&'; /* not an entity: kept as is */
    return o;
}

static char *decode(const char *s, const char *end)
{
    char *out = dlcs_xmalloc((size_t)(end - s) + 1), *o = out;

    while (s < end) {
        if (*s == '&') {
            s++;
            o = decode_entity(&s, o, end);
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

char *dlcs_s3_xml_next(const char *xml, const char *tag, const char **pos)
{
    char open[80], close[80];
    const char *from = *pos ? *pos : xml, *start, *end;

    (void)snprintf(open, sizeof open, "<%s>", tag);
    (void)snprintf(close, sizeof close, "</%s>", tag);
    start = strstr(from, open);
    if (!start)
        return NULL;
    start += strlen(open);
    end = strstr(start, close);
    if (!end)
        return NULL;
    *pos = end + strlen(close);
    return decode(start, end);
}

char *dlcs_s3_xml_first(const char *xml, const char *tag)
{
    const char *pos = NULL;

    return xml ? dlcs_s3_xml_next(xml, tag, &pos) : NULL;
}

char *dlcs_s3_xml_escape(const char *s)
{
    char *out = dlcs_xmalloc(strlen(s) * 6 + 1), *o = out;

    for (; *s; s++) {
        const char *rep = *s == '&'   ? "&amp;"
                          : *s == '<' ? "&lt;"
                          : *s == '>' ? "&gt;"
                          : *s == '"' ? "&quot;"
                                      : NULL;

        if (rep) {
            memcpy(o, rep, strlen(rep));
            o += strlen(rep);
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}
