/* SPDX-License-Identifier: Apache-2.0 */
/* Named query templates: one walker checks a stored template and binds URL arguments. */
#include "dlcs/named_query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

struct walk {
    bool binding; /* false: dlcs_nq_check, the arguments are not known yet */
    const char *args[DLCS_NQ_MAX_ARGS];
    size_t nargs, url_args;
    bool refers_to_args;
    struct dlcs_nq_plan *plan;
    struct dlcs_error *err;
};

/* Where a value came from, for messages: "template position 9" or "argument 2". */
struct origin {
    char where[48];
};

static bool parse_int64(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (!s[0] || s[0] == ' ' || s[0] == '+')
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static enum dlcs_status bad(struct walk *w, const struct origin *o, const char *key,
                            const char *why, const char *value)
{
    return dlcs_error_set(w->err, DLCS_EINVAL, "%s: '%s' %s, not '%s'", o->where, key, why, value);
}

static enum dlcs_status set_batches(struct walk *w, const struct origin *o, const char *v)
{
    char *copy = dlcs_xstrdup(v), *save = NULL;
    enum dlcs_status st = DLCS_OK;
    int64_t id;

    w->plan->batch_count = 0;
    for (char *t = strtok_r(copy, ",", &save); t && st == DLCS_OK; t = strtok_r(NULL, ",", &save)) {
        if (!parse_int64(t, &id) || id < 1)
            st = bad(w, o, "batch", "must be a comma list of batch ids", v);
        else if (w->plan->batch_count == DLCS_NQ_MAX_BATCHES)
            st = dlcs_error_set(w->err, DLCS_EINVAL, "%s: 'batch' lists more than %d ids", o->where,
                                DLCS_NQ_MAX_BATCHES);
        else
            w->plan->batches[w->plan->batch_count++] = id;
    }
    if (st == DLCS_OK && w->plan->batch_count == 0)
        st = bad(w, o, "batch", "must be a comma list of batch ids", v);
    free(copy);
    return st;
}

/* "s1".."s3" / "n1".."n3" as a field name, or NULL. */
static const char *metadata_field(const char *s, size_t n)
{
    static const char *const names[] = {"string1", "string2", "string3",
                                        "number1", "number2", "number3"};

    if (n != 2 || (s[0] != 's' && s[0] != 'n') || s[1] < '1' || s[1] > '3')
        return NULL;
    return names[(s[0] == 'n' ? 3 : 0) + (s[1] - '1')];
}

/* 1..6 for s1..s3, n1..n3 (checked by metadata_field first). */
static int field_number(const char *s)
{
    return (s[0] == 'n' ? 3 : 0) + (s[1] - '0');
}

/* One ordering term: "n1", "n2 desc", "n3+asc" (a '+' is a URL-encoded space). */
static enum dlcs_status order_term(struct walk *w, const struct origin *o, const char *term,
                                   const char *spec)
{
    size_t n = strcspn(term, " +");
    const char *field = metadata_field(term, n), *dir = term + n;
    struct dlcs_nq_order *ord;

    if (!field)
        return bad(w, o, "assetOrder", "orders by s1..s3 or n1..n3 (\"n1;n2 desc\")", spec);
    while (*dir == ' ' || *dir == '+')
        dir++;
    if (*dir && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
        return bad(w, o, "assetOrder", "takes 'asc' or 'desc' after a field", spec);
    if (w->plan->order_count == DLCS_NQ_MAX_ORDER)
        return dlcs_error_set(w->err, DLCS_EINVAL, "%s: 'assetOrder' has more than %d terms",
                              o->where, DLCS_NQ_MAX_ORDER);
    ord = &w->plan->order[w->plan->order_count++];
    ord->field = field;
    ord->descending = strcmp(dir, "desc") == 0;
    return DLCS_OK;
}

static enum dlcs_status set_order(struct walk *w, const struct origin *o, const char *v)
{
    char *copy = dlcs_xstrdup(v), *save = NULL;
    enum dlcs_status st = DLCS_OK;

    w->plan->order_count = 0;
    for (char *t = strtok_r(copy, ";", &save); t && st == DLCS_OK; t = strtok_r(NULL, ";", &save)) {
        while (*t == ' ')
            t++;
        st = order_term(w, o, t, v);
    }
    if (st == DLCS_OK && w->plan->order_count == 0)
        st = bad(w, o, "assetOrder", "needs at least one field", v);
    free(copy);
    return st;
}

/* Apply key=v to the plan. */
static enum dlcs_status apply(struct walk *w, const struct origin *o, const char *key,
                              const char *v)
{
    struct dlcs_nq_plan *p = w->plan;
    const char *field = metadata_field(key, strlen(key));
    int64_t n;

    if (strcmp(key, "space") == 0) {
        if (!parse_int64(v, &n) || n < 1)
            return bad(w, o, key, "must be a positive integer", v);
        p->has_space = true;
        p->space = n;
    } else if (strcmp(key, "spacename") == 0) {
        dlcs_str_replace(&p->space_name, v);
    } else if (field && key[0] == 's') {
        dlcs_str_replace(&p->string[key[1] - '1'], v);
    } else if (field) {
        if (!parse_int64(v, &n))
            return bad(w, o, key, "must be an integer", v);
        p->has_number[key[1] - '1'] = true;
        p->number[key[1] - '1'] = n;
    } else if (strcmp(key, "batch") == 0) {
        return set_batches(w, o, v);
    } else if (strcmp(key, "tag") == 0) {
        dlcs_str_replace(&p->tag, v);
    } else if (strcmp(key, "label") == 0) {
        dlcs_str_replace(&p->label, v);
    } else if (strcmp(key, "canvasLabel") == 0) {
        if (!metadata_field(v, strlen(v)))
            return bad(w, o, key, "names the field of each canvas's label: s1..s3 or n1..n3", v);
        p->canvas_label = field_number(v);
    } else if (strlen(key) == 7 && strcmp(key + 2, "Label") == 0 && metadata_field(key, 2)) {
        dlcs_str_replace(&p->field_label[field_number(key) - 1], v);
    } else if (strcmp(key, "assetOrder") == 0 || strcmp(key, "canvas") == 0) {
        return set_order(w, o, v);
    } /* other keys are ignored, as the reference does */
    return DLCS_OK;
}

/* "pN" with N >= 1: its N, else 0. */
static size_t arg_ref(const char *v)
{
    int64_t n;

    return v[0] == 'p' && v[1] >= '1' && v[1] <= '9' && parse_int64(v + 1, &n) && n <= 1000
               ? (size_t)n
               : 0;
}

/* One "key=value" pair starting at 1-based position 'pos'. */
static enum dlcs_status pair(struct walk *w, char *text, size_t pos)
{
    char *eq = strchr(text, '=');
    struct origin o;
    size_t ref;

    (void)snprintf(o.where, sizeof o.where, "template position %zu", pos);
    if (!eq || eq == text)
        return dlcs_error_set(w->err, DLCS_EINVAL, "%s: '%s' is not key=value", o.where, text);
    *eq = '\0';
    if (strcmp(text, "#") == 0) { /* "#=v" appends an argument */
        if (w->nargs == DLCS_NQ_MAX_ARGS)
            return dlcs_error_set(w->err, DLCS_EINVAL, "%s: more than %d arguments", o.where,
                                  DLCS_NQ_MAX_ARGS);
        w->args[w->nargs++] = eq + 1;
        return DLCS_OK;
    }
    ref = arg_ref(eq + 1);
    if (ref == 0)
        return apply(w, &o, text, eq + 1);
    w->refers_to_args = true;
    if (!w->binding || ref > w->nargs)
        return DLCS_OK; /* not known yet, or an optional argument not given: no filter */
    (void)snprintf(o.where, sizeof o.where, "argument %zu", ref);
    return apply(w, &o, text, w->args[ref - 1]);
}

static enum dlcs_status walk_template(struct walk *w, const char *tmpl)
{
    char *copy = dlcs_xstrdup(tmpl ? tmpl : "");
    enum dlcs_status st = DLCS_OK;
    size_t pos = 0, len = strlen(copy);

    if (len == 0)
        st = dlcs_error_set(w->err, DLCS_EINVAL, "the template is empty");
    while (st == DLCS_OK && pos < len) {
        size_t n = strcspn(copy + pos, "&");

        copy[pos + n] = '\0';
        if (n > 0)
            st = pair(w, copy + pos, pos + 1);
        pos += n + 1;
    }
    if (st == DLCS_OK && w->binding && w->refers_to_args && w->url_args == 0)
        st = dlcs_error_set(w->err, DLCS_EINVAL,
                            "this named query takes arguments after its name (its template "
                            "uses p1...)");
    free(copy);
    return st;
}

enum dlcs_status dlcs_nq_check(const char *tmpl, struct dlcs_error *err)
{
    struct dlcs_nq_plan scratch;
    struct walk w = {.binding = false, .plan = &scratch, .err = err};
    enum dlcs_status st;

    memset(&scratch, 0, sizeof scratch);
    st = walk_template(&w, tmpl);
    dlcs_nq_plan_release(&scratch);
    return st;
}

enum dlcs_status dlcs_nq_resolve(const char *tmpl, const char *const *args, size_t nargs,
                                 struct dlcs_nq_plan *out, struct dlcs_error *err)
{
    struct walk w = {.binding = true, .plan = out, .err = err};

    memset(out, 0, sizeof *out);
    if (nargs > DLCS_NQ_MAX_ARGS)
        return dlcs_error_set(err, DLCS_EINVAL, "more than %d arguments", DLCS_NQ_MAX_ARGS);
    for (size_t i = 0; i < nargs; i++)
        w.args[i] = args[i];
    w.nargs = w.url_args = nargs;
    return walk_template(&w, tmpl);
}

void dlcs_nq_plan_release(struct dlcs_nq_plan *p)
{
    free(p->space_name);
    free(p->tag);
    free(p->label);
    for (int i = 0; i < 3; i++)
        free(p->string[i]);
    for (int i = 0; i < 6; i++)
        free(p->field_label[i]);
    memset(p, 0, sizeof *p);
}
