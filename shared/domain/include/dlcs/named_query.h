/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Named query templates (the reference's syntax, ../shared/reference/dlcs-api.md §3.1):
 * "&"-separated key=value pairs; a value "pN" is the Nth argument from the URL (1-based; past
 * the last one the filter is dropped), "#=v" appends v to the arguments, anything else is a
 * literal. Keys: space, spacename, s1..s3, n1..n3, batch (comma list), tag, assetOrder (or
 * the obsolete canvas: "n1;n2 desc;s3"), label (the manifest's label; {s1}-style tokens are
 * not expanded). Other keys are ignored, as in the reference (manifest, sequence, objectname,
 * coverpage, redactedmessage: PDF and grouping options this build does not have).
 */
#ifndef DLCS_NAMED_QUERY_H
#define DLCS_NAMED_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/error.h"

#define DLCS_NQ_MAX_ARGS    32 /* URL arguments plus #= values */
#define DLCS_NQ_MAX_ORDER   4  /* ordering terms (the store sorts by at most 4 keys) */
#define DLCS_NQ_MAX_BATCHES 64 /* ids in one batch= list */

struct dlcs_nq_order {
    const char *field; /* static: "string1".."string3", "number1".."number3" */
    bool descending;
};

/* What a template selects once its arguments are bound. Strings are owned. */
struct dlcs_nq_plan {
    bool has_space;
    int64_t space;
    char *space_name; /* NULL = not filtered (ignored when has_space) */
    char *string[3];  /* NULL = not filtered */
    bool has_number[3];
    int64_t number[3];
    int64_t batches[DLCS_NQ_MAX_BATCHES];
    size_t batch_count; /* 0 = not filtered */
    char *tag;
    char *label;
    /*
     * Presentation only: the field each canvas's label comes from ("canvasLabel=s2": a page
     * label such as "37" or "xvi"; 0 = the canvas's ordinal), and the metadata labels
     * ("s1Label=Title"; NULL = the field's readable default). Fields 1..6 = s1..s3, n1..n3.
     */
    int canvas_label;
    char *field_label[6];
    struct dlcs_nq_order order[DLCS_NQ_MAX_ORDER];
    size_t order_count; /* 0 = the store's order */
};

/*
 * Check a template as it is stored (arguments unknown): every pair is key=value, literal
 * values of typed keys parse, order specs parse. DLCS_EINVAL naming the 1-based character
 * position and the reason, e.g. "template position 9: 'n1' must be an integer, not 'x'".
 */
enum dlcs_status dlcs_nq_check(const char *tmpl, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Bind 'args' ('nargs' percent-decoded URL path segments) to 'tmpl' into 'out' (release with
 * dlcs_nq_plan_release, also on failure). DLCS_EINVAL for a bad template, a template that
 * refers to arguments when none are given, or an argument of the wrong type for its key.
 */
enum dlcs_status dlcs_nq_resolve(const char *tmpl, const char *const *args, size_t nargs,
                                 struct dlcs_nq_plan *out, struct dlcs_error *err) DLCS_WARN_UNUSED;

void dlcs_nq_plan_release(struct dlcs_nq_plan *p);

#endif /* DLCS_NAMED_QUERY_H */
