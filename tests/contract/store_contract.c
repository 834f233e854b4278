/* SPDX-License-Identifier: Apache-2.0 */
/* The store contract suite: every adapter must pass every test here, unchanged. */
#include "store_contract.h"

#include <pthread.h>
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dlcs/clock.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "store_fixtures.h"

static void get_batch(struct dlcs_store *s, int64_t id, struct dlcs_batch *out)
{
    dlcs_entity_init(&dlcs_batch_entity, out);
    out->id = id;
    OK(dlcs_store_get(s, &dlcs_batch_entity, out, NULL));
}

/* Delete the asset; 'removed' (may be NULL) gets the record as it was. */
static enum dlcs_status remove_one(struct dlcs_store *s, int64_t customer, int64_t space,
                                   const char *id, struct dlcs_asset *removed)
{
    struct dlcs_asset a;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    a.customer = customer;
    a.space = space;
    a.id = dlcs_xstrdup(id);
    st = dlcs_store_asset_remove(s, &a, NULL);
    if (removed)
        *removed = a;
    else
        dlcs_entity_release(&dlcs_asset_entity, &a);
    return st;
}

/* List 'q' and check the total; the first item's id (assets) is checked when 'first_id'. */
static void expect_assets(struct dlcs_store *s, const struct dlcs_query *q, int64_t total,
                          const char *first_id)
{
    struct dlcs_list l;

    OK(dlcs_store_list(s, &dlcs_asset_entity, q, &l, NULL));
    assert_int_equal(l.total, total);
    if (first_id)
        assert_string_equal(((struct dlcs_asset *)dlcs_list_at(&l, 0))->id, first_id);
    dlcs_list_release(&l);
}

/* ---- customers, keys ---------------------------------------------------------------------- */

static void customer_crud(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_customer c;
    struct dlcs_error err = {0};
    int64_t a = make_customer(s, "acme");
    int64_t b = make_customer(s, "wellcome");

    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    dlcs_entity_init(&dlcs_customer_entity, &c);
    c.id = b;
    OK(dlcs_store_get(s, &dlcs_customer_entity, &c, NULL));
    assert_string_equal(c.name, "wellcome");
    assert_string_equal(c.display_name, "The wellcome");
    assert_true(c.created > 0);

    dlcs_str_replace(&c.display_name, "Wellcome Collection");
    OK(dlcs_store_update(
        s, &dlcs_customer_entity, &c,
        DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_customer_entity, "displayName")), NULL));
    dlcs_str_replace(&c.display_name, NULL);
    OK(dlcs_store_get(s, &dlcs_customer_entity, &c, NULL));
    assert_string_equal(c.display_name, "Wellcome Collection");
    assert_string_equal(c.name, "wellcome");

    c.id = 99;
    assert_int_equal(dlcs_store_get(s, &dlcs_customer_entity, &c, &err), DLCS_ENOTFOUND);
    dlcs_entity_release(&dlcs_customer_entity, &c);
}

static void customer_name_conflicts(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_customer c;
    struct dlcs_error err = {0};

    (void)make_customer(s, "acme");
    dlcs_entity_init(&dlcs_customer_entity, &c);
    c.name = dlcs_xstrdup("ACME"); /* names are unique regardless of case */
    c.display_name = dlcs_xstrdup("Another");
    assert_int_equal(dlcs_store_insert(s, &dlcs_customer_entity, &c, &err), DLCS_ECONFLICT);
    assert_non_null(strstr(err.message, "name"));
    dlcs_entity_release(&dlcs_customer_entity, &c);
}

static void keys_by_customer(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_key k;
    struct dlcs_query q = {.limit = 10, .count_total = true};
    struct dlcs_list l;
    int64_t c = make_customer(s, "acme");

    for (int i = 0; i < 3; i++) {
        dlcs_entity_init(&dlcs_key_entity, &k);
        k.key = dlcs_xasprintf("key%d", i);
        k.customer = c;
        k.secret_hash = dlcs_xstrdup("hash");
        OK(dlcs_store_insert(s, &dlcs_key_entity, &k, NULL));
        dlcs_entity_release(&dlcs_key_entity, &k);
    }
    dlcs_query_eq_int(&q, "customer", c);
    OK(dlcs_store_list(s, &dlcs_key_entity, &q, &l, NULL));
    assert_int_equal(l.total, 3);
    assert_string_equal(((struct dlcs_key *)dlcs_list_at(&l, 0))->secret_hash, "hash");
    dlcs_list_release(&l);

    dlcs_entity_init(&dlcs_key_entity, &k);
    k.key = dlcs_xstrdup("key1");
    OK(dlcs_store_remove(s, &dlcs_key_entity, &k, NULL));
    assert_int_equal(dlcs_store_remove(s, &dlcs_key_entity, &k, NULL), DLCS_ENOTFOUND);
    dlcs_entity_release(&dlcs_key_entity, &k);
}

/* ---- spaces ------------------------------------------------------------------------------- */

static void space_ids_are_per_customer(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_space sp;
    struct dlcs_error err = {0};
    int64_t a = make_customer(s, "acme"), b = make_customer(s, "other");

    assert_int_equal(make_space(s, a, 0, "one"), 1);
    assert_int_equal(make_space(s, a, 0, "two"), 2);
    assert_int_equal(make_space(s, b, 0, "one"), 1);
    assert_int_equal(make_space(s, a, 10, "chosen"), 10); /* PUT with a chosen id */
    assert_int_equal(make_space(s, a, 0, "after"), 11);

    dlcs_entity_init(&dlcs_space_entity, &sp);
    sp.customer = a;
    sp.name = dlcs_xstrdup("one");
    assert_int_equal(dlcs_store_insert(s, &dlcs_space_entity, &sp, &err), DLCS_ECONFLICT);
    sp.id = 2;
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_store_insert(s, &dlcs_space_entity, &sp, &err), DLCS_ECONFLICT);
    dlcs_entity_release(&dlcs_space_entity, &sp);
}

static void space_defaults_round_trip(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_space sp;
    int64_t c = make_customer(s, "acme");

    dlcs_entity_init(&dlcs_space_entity, &sp);
    sp.customer = c;
    sp.name = dlcs_xstrdup("books");
    dlcs_strlist_push(&sp.default_tags, "green");
    dlcs_strlist_push(&sp.default_roles, "https://x/roles/clickthrough");
    sp.max_unauthorised = 400;
    sp.thumbnail_policy = dlcs_xstrdup("small");
    OK(dlcs_store_insert(s, &dlcs_space_entity, &sp, NULL));
    dlcs_strlist_release(&sp.default_tags);
    sp.max_unauthorised = 0;
    OK(dlcs_store_get(s, &dlcs_space_entity, &sp, NULL));
    assert_int_equal(sp.default_tags.count, 1);
    assert_string_equal(sp.default_tags.items[0], "green");
    assert_string_equal(sp.default_roles.items[0], "https://x/roles/clickthrough");
    assert_int_equal(sp.max_unauthorised, 400);
    assert_string_equal(sp.thumbnail_policy, "small");
    dlcs_entity_release(&dlcs_space_entity, &sp);
}

static void space_delete_refused_while_it_holds_images(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_error err = {0};
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "img", NULL, 2, NULL);
    assert_int_equal(dlcs_store_space_remove(s, c, sp, &err), DLCS_ECONFLICT);
    assert_non_null(strstr(err.message, "2 images"));
    OK(remove_one(s, c, sp, "img0", NULL));
    OK(remove_one(s, c, sp, "img1", NULL));
    OK(dlcs_store_space_remove(s, c, sp, NULL));
    assert_int_equal(dlcs_store_space_remove(s, c, sp, NULL), DLCS_ENOTFOUND);
}

/* ---- assets ------------------------------------------------------------------------------- */

static void register_creates_then_replaces(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset a;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");
    int64_t created;

    register_many(s, c, sp, "page", "book1", 1, NULL);
    get_asset(s, c, sp, "page0", &a);
    assert_int_equal(a.generation, 1);
    assert_true(a.ingesting);
    assert_string_equal(a.family, "I");
    assert_string_equal(a.string1, "book1");
    assert_int_equal(a.finished, 0);
    assert_true(a.created > 0);
    created = a.created;
    dlcs_entity_release(&dlcs_asset_entity, &a);

    register_many(s, c, sp, "page", "book2", 1, NULL);
    get_asset(s, c, sp, "page0", &a);
    assert_int_equal(a.generation, 2);
    assert_int_equal(a.created, created); /* replacing keeps the creation time */
    assert_string_equal(a.string1, "book2");
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

static void register_into_unknown_space_writes_nothing(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset assets[2];
    struct dlcs_registration reg = {assets, 2, NULL, false, false, false, NULL};
    struct dlcs_error err = {0};
    struct dlcs_query q = {.limit = 10, .count_total = true};
    int64_t n = -1, c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    fill_asset(&assets[0], c, sp, "ok", NULL, 0);
    fill_asset(&assets[1], c, 77, "lost", NULL, 0);
    assert_int_equal(dlcs_store_register(s, &reg, &err), DLCS_ENOTFOUND);
    assert_non_null(strstr(err.message, "space 77"));
    dlcs_query_eq_int(&q, "customer", c);
    OK(dlcs_store_count(s, &dlcs_asset_entity, &q, &n, NULL));
    assert_int_equal(n, 0);
    dlcs_entity_release(&dlcs_asset_entity, &assets[0]);
    dlcs_entity_release(&dlcs_asset_entity, &assets[1]);
}

static void register_refuses_duplicate_ids(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset assets[2];
    struct dlcs_registration reg = {assets, 2, NULL, false, false, false, NULL};
    struct dlcs_error err = {0};
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    fill_asset(&assets[0], c, sp, "same", NULL, 0);
    fill_asset(&assets[1], c, sp, "same", NULL, 1);
    assert_int_equal(dlcs_store_register(s, &reg, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "listed twice"));
    dlcs_entity_release(&dlcs_asset_entity, &assets[0]);
    dlcs_entity_release(&dlcs_asset_entity, &assets[1]);
}

static void update_changes_only_the_fields_sent(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset a;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");
    uint64_t mask = DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_asset_entity, "string2"));

    register_many(s, c, sp, "p", "book", 1, NULL);
    get_asset(s, c, sp, "p0", &a);
    dlcs_strlist_push(&a.tags, "kept");
    OK(dlcs_store_update(s, &dlcs_asset_entity, &a,
                         DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_asset_entity, "tags")),
                         NULL));
    dlcs_entity_release(&dlcs_asset_entity, &a);

    /* a PATCH of string2 alone: tags and string1 must survive (the reference's bug #1261) */
    fill_asset(&a, c, sp, "p0", NULL, 0);
    a.string2 = dlcs_xstrdup("chapter");
    OK(dlcs_store_update(s, &dlcs_asset_entity, &a, mask, NULL));
    dlcs_entity_release(&dlcs_asset_entity, &a);
    get_asset(s, c, sp, "p0", &a);
    assert_string_equal(a.string2, "chapter");
    assert_string_equal(a.string1, "book");
    assert_int_equal(a.tags.count, 1);
    assert_string_equal(a.tags.items[0], "kept");
    dlcs_entity_release(&dlcs_asset_entity, &a);

    fill_asset(&a, c, sp, "missing", NULL, 0);
    assert_int_equal(dlcs_store_update(s, &dlcs_asset_entity, &a, mask, NULL), DLCS_ENOTFOUND);
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

static void paging_and_ordering(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_query q = {.limit = 10, .offset = 10, .count_total = true};
    struct dlcs_list l;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "p", "book", 25, NULL);
    dlcs_query_eq_int(&q, "customer", c);
    dlcs_query_order(&q, "number1", true);
    OK(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, NULL));
    assert_int_equal(l.total, 25);
    assert_int_equal(l.count, 10);
    assert_int_equal(((struct dlcs_asset *)dlcs_list_at(&l, 0))->number1, 14);
    assert_int_equal(((struct dlcs_asset *)dlcs_list_at(&l, 9))->number1, 5);
    dlcs_list_release(&l);

    q.offset = 20;
    q.order[0].desc = false;
    OK(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, NULL));
    assert_int_equal(l.count, 5);
    assert_int_equal(((struct dlcs_asset *)dlcs_list_at(&l, 4))->number1, 24);
    dlcs_list_release(&l);

    q.offset = 30; /* past the end: empty page, same total */
    OK(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, NULL));
    assert_int_equal(l.count, 0);
    assert_int_equal(l.total, 25);
    dlcs_list_release(&l);
}

static void ordering_refuses_unknown_and_unsortable_fields(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_query q = {.limit = 10, .count_total = true};
    struct dlcs_list l;
    struct dlcs_error err = {0};

    dlcs_query_order(&q, "nonsense", false);
    assert_int_equal(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "nonsense"));
    q.order[0].field = "tags";
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, &err), DLCS_EINVAL);
    q.order_count = 0;
    dlcs_query_eq_str(&q, "nonsense", "x");
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "nonsense"));
}

static void metadata_filters(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_query q = {.limit = 100, .count_total = true};
    struct dlcs_asset a;
    struct dlcs_list l;
    int64_t c = make_customer(s, "acme"), other = make_customer(s, "other");
    int64_t sp = make_space(s, c, 0, "books"), sp2 = make_space(s, c, 0, "more");
    int64_t osp = make_space(s, other, 0, "theirs");

    register_many(s, c, sp, "a", "book-a", 5, NULL);
    register_many(s, c, sp2, "b", "book-b", 3, NULL);
    register_many(s, other, osp, "a", "book-a", 4, NULL);
    get_asset(s, c, sp, "a3", &a);
    dlcs_strlist_push(&a.tags, "cover");
    a.number2 = 7;
    OK(dlcs_store_update(s, &dlcs_asset_entity, &a, dlcs_entity_all(&dlcs_asset_entity), NULL));
    dlcs_entity_release(&dlcs_asset_entity, &a);

    dlcs_query_eq_int(&q, "customer", c);
    dlcs_query_eq_str(&q, "string1", "book-a");
    dlcs_query_order(&q, "number1", false);
    OK(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, NULL));
    assert_int_equal(l.total, 5); /* the other customer's book-a is not visible */
    assert_string_equal(((struct dlcs_asset *)dlcs_list_at(&l, 0))->id, "a0");
    dlcs_list_release(&l);

    q.term_count = 1;
    dlcs_query_eq_int(&q, "number2", 7);
    expect_assets(s, &q, 1, NULL);

    q.term_count = 1;
    dlcs_query_has(&q, "tags", "cover");
    expect_assets(s, &q, 1, "a3");

    q.term_count = 1;
    dlcs_query_eq_int(&q, "space", sp2);
    expect_assets(s, &q, 3, NULL);
}

/* ---- batches and completion --------------------------------------------------------------- */

static void batch_counters_and_finish(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b, got;
    struct dlcs_asset a;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "p", "book", 3, &b);
    assert_true(b.id > 0);
    get_batch(s, b.id, &got);
    assert_int_equal(got.count, 3);
    assert_int_equal(got.customer, c);
    assert_true(got.submitted > 0);
    assert_int_equal(got.finished, 0);

    assert_int_equal(complete_now(s, c, sp, "p0", b.id, NULL), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete_now(s, c, sp, "p1", b.id, "origin answered 404"),
                     DLCS_COMPLETION_RECORDED);
    get_batch(s, b.id, &got);
    assert_int_equal(got.completed, 1);
    assert_int_equal(got.errors, 1);
    assert_int_equal(got.finished, 0);
    assert_int_equal(complete_now(s, c, sp, "p2", b.id, NULL), DLCS_COMPLETION_RECORDED);
    get_batch(s, b.id, &got);
    assert_int_equal(got.completed, 2);
    assert_true(got.finished > 0);

    get_asset(s, c, sp, "p1", &a);
    assert_false(a.ingesting);
    assert_string_equal(a.error, "origin answered 404");
    assert_true(a.finished > 0);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    get_asset(s, c, sp, "p0", &a);
    assert_int_equal(a.width, 640);
    assert_null(a.error);
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

static void stale_and_duplicate_completions_change_nothing(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b1, b2, got;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");
    int64_t first, second;

    register_many(s, c, sp, "p", "book", 2, &b1);
    first = generation_of(s, c, sp, "p0");
    register_many(s, c, sp, "p", "book", 1, &b2); /* p0 moves to batch 2, a new generation */
    second = generation_of(s, c, sp, "p0");
    assert_true(second > first);
    assert_int_equal(complete(s, c, sp, "p0", first, b1.id, NULL), DLCS_COMPLETION_STALE);
    get_batch(s, b1.id, &got);
    assert_int_equal(got.completed, 0);
    assert_int_equal(got.count, 1); /* p0 left batch 1 */

    assert_int_equal(complete(s, c, sp, "p0", second, b2.id, NULL), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete(s, c, sp, "p0", second, b2.id, NULL), DLCS_COMPLETION_DUPLICATE);
    get_batch(s, b2.id, &got);
    assert_int_equal(got.completed, 1);
    assert_true(got.finished > 0);

    assert_int_equal(complete_now(s, c, sp, "p1", b1.id, "bad"), DLCS_COMPLETION_RECORDED);
    get_batch(s, b1.id, &got);
    assert_int_equal(got.errors, 1);
    assert_true(got.finished > 0);
    assert_int_equal(complete(s, c, sp, "gone", first, b1.id, NULL), DLCS_COMPLETION_STALE);
}

/* A re-registration goes on serving what was served until its own generation completes. */
static void reregistration_keeps_serving_until_it_completes(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset a;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");
    int64_t first, second, third;

    register_many(s, c, sp, "p", "book", 1, NULL);
    first = generation_of(s, c, sp, "p0");
    get_asset(s, c, sp, "p0", &a);
    assert_int_equal(a.served, 0); /* nothing to serve before the first ingest ends */
    assert_int_equal(a.width, 0);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    assert_int_equal(complete_now(s, c, sp, "p0", 0, NULL), DLCS_COMPLETION_RECORDED);

    register_many(s, c, sp, "p", "book", 1, NULL);
    second = generation_of(s, c, sp, "p0");
    get_asset(s, c, sp, "p0", &a);
    assert_true(a.ingesting);
    assert_int_equal(a.served, first); /* the first set stays served, with its size */
    assert_int_equal(a.width, 640);
    assert_int_equal(a.height, 480);
    assert_int_equal(a.size, 1000);
    dlcs_entity_release(&dlcs_asset_entity, &a);

    /* a failed re-ingest leaves the served set serving, and says why */
    assert_int_equal(complete_now(s, c, sp, "p0", 0, "origin answered 404"),
                     DLCS_COMPLETION_RECORDED);
    get_asset(s, c, sp, "p0", &a);
    assert_false(a.ingesting);
    assert_string_equal(a.error, "origin answered 404");
    assert_int_equal(a.served, first);
    assert_int_equal(a.width, 640);
    dlcs_entity_release(&dlcs_asset_entity, &a);

    register_many(s, c, sp, "p", "book", 1, NULL);
    third = generation_of(s, c, sp, "p0");
    assert_true(first < second && second < third);
    assert_int_equal(complete_now(s, c, sp, "p0", 0, NULL), DLCS_COMPLETION_RECORDED);
    get_asset(s, c, sp, "p0", &a);
    assert_int_equal(a.served, third); /* switched in the completing write */
    assert_null(a.error);
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

/* After a delete, a new record of the same id never takes an old generation. */
static void generations_are_never_reused(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset removed;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");
    int64_t before;

    register_many(s, c, sp, "p", "book", 1, NULL);
    before = generation_of(s, c, sp, "p0");
    OK(remove_one(s, c, sp, "p0", &removed));
    /* the delete answers with the record as it was: its blobs can be removed exactly */
    assert_int_equal(removed.generation, before);
    assert_string_equal(removed.origin, "https://example.org/p0.jpg");
    dlcs_entity_release(&dlcs_asset_entity, &removed);
    register_many(s, c, sp, "p", "book", 1, NULL);
    assert_true(generation_of(s, c, sp, "p0") > before);
    /* the deleted record's job finishing late cannot complete the new record */
    assert_int_equal(complete(s, c, sp, "p0", before, 0, NULL), DLCS_COMPLETION_STALE);
}

/* Uploaded originals are stored bytes too: usage counts them with the derivatives. */
static void usage_counts_uploaded_originals(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset a;
    struct dlcs_registration reg = {&a, 1, NULL, false, false, false, NULL};
    struct dlcs_usage u;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    fill_asset(&a, c, sp, "up", "book", 0);
    dlcs_str_replace(&a.origin, "dlcs-upload:uploads/1/1/up/x");
    a.origin_size = 5000;
    OK(dlcs_store_register(s, &reg, NULL));
    assert_int_equal(complete_now(s, c, sp, "up", 0, NULL), DLCS_COMPLETION_RECORDED);
    OK(dlcs_store_usage(s, c, 0, &u, NULL));
    assert_int_equal(u.bytes, 1000 + 5000);
    /* ingested again from the same upload: still counted once */
    a.origin_size = 0;
    OK(dlcs_store_register(s, &reg, NULL));
    OK(dlcs_store_usage(s, c, 0, &u, NULL));
    assert_int_equal(u.bytes, 1000 + 5000);
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

/* A conditional registration (PATCH, reingest) applies only to the record it read. */
static void conditional_registration_needs_the_generation_read(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset a;
    struct dlcs_registration reg = {&a, 1, NULL, false, false, true, NULL};
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");
    int64_t read;

    register_many(s, c, sp, "p", "book", 1, NULL);
    read = generation_of(s, c, sp, "p0");
    register_many(s, c, sp, "p", "book", 1, NULL); /* someone else registers it meanwhile */
    fill_asset(&a, c, sp, "p0", "patched", 0);
    a.generation = read;
    assert_int_equal(dlcs_store_register(s, &reg, NULL), DLCS_ECONFLICT);
    a.generation = generation_of(s, c, sp, "p0");
    OK(dlcs_store_register(s, &reg, NULL));
    assert_true(a.generation > read);
    OK(remove_one(s, c, sp, "p0", NULL));
    assert_int_equal(dlcs_store_register(s, &reg, NULL), DLCS_ENOTFOUND); /* no resurrection */
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

/* A registration says what each asset's previous origin was, read in its own write. */
static void registration_reports_previous_origins(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset assets[2];
    char *previous[2] = {NULL, NULL};
    struct dlcs_registration reg = {assets, 2, NULL, false, false, false, previous};
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "p", "book", 1, NULL);
    fill_asset(&assets[0], c, sp, "p0", "book", 0);
    fill_asset(&assets[1], c, sp, "new", "book", 1);
    dlcs_str_replace(&assets[0].origin, "https://example.org/other.jpg");
    OK(dlcs_store_register(s, &reg, NULL));
    assert_non_null(previous[0]);
    assert_string_equal(previous[0], "https://example.org/p0.jpg");
    assert_null(previous[1]);
    free(previous[0]);
    dlcs_entity_release(&dlcs_asset_entity, &assets[0]);
    dlcs_entity_release(&dlcs_asset_entity, &assets[1]);
}

static void batch_left_by_every_asset_is_superseded(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b1, b2, got;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "p", "book", 2, &b1);
    register_many(s, c, sp, "p", "book", 2, &b2);
    get_batch(s, b1.id, &got);
    assert_true(got.superseded);
    assert_int_equal(got.count, 0);
    get_batch(s, b2.id, &got);
    assert_false(got.superseded);
}

static void deleting_an_asset_never_strands_its_batch(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b, got;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "p", "book", 2, &b);
    assert_int_equal(complete_now(s, c, sp, "p0", b.id, NULL), DLCS_COMPLETION_RECORDED);
    OK(remove_one(s, c, sp, "p1", NULL));
    get_batch(s, b.id, &got);
    assert_int_equal(got.count, 1);
    assert_true(got.finished > 0);
    assert_int_equal(remove_one(s, c, sp, "p1", NULL), DLCS_ENOTFOUND);
}

static void batch_membership_history(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b1, b2;
    struct dlcs_query q = {.limit = 100, .count_total = true};
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "p", "book", 3, &b1);
    register_many(s, c, sp, "p", "book", 1, &b2);
    dlcs_query_eq_int(&q, "customer", c);
    dlcs_query_batch_member(&q, b1.id); /* every asset ever submitted in batch 1 */
    expect_assets(s, &q, 3, NULL);
    dlcs_query_batch_member(&q, b2.id); /* ... or in batch 2 */
    expect_assets(s, &q, 3, NULL);
    q.batch_member_count = 0;
    dlcs_query_eq_int(&q, "batch", b1.id); /* assets whose current batch is 1 */
    expect_assets(s, &q, 2, NULL);
}

static void active_batches_filter(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b1, b2;
    struct dlcs_query q = {.limit = 100, .count_total = true};
    struct dlcs_list l;
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "x", "book", 1, &b1);
    register_many(s, c, sp, "y", "book", 1, &b2);
    assert_int_equal(complete_now(s, c, sp, "x0", b1.id, NULL), DLCS_COMPLETION_RECORDED);
    dlcs_query_eq_int(&q, "customer", c);
    dlcs_query_term(&q, "finished", DLCS_TERM_UNSET);
    dlcs_query_eq_int(&q, "superseded", 0);
    OK(dlcs_store_list(s, &dlcs_batch_entity, &q, &l, NULL));
    assert_int_equal(l.total, 1);
    assert_int_equal(((struct dlcs_batch *)dlcs_list_at(&l, 0))->id, b2.id);
    dlcs_list_release(&l);
}

/* 8 threads complete 10,000 jobs (the adapter's count), each delivered twice, in 10 batches:
 * every counter must be exact. */
#define THREADS      8
#define BATCH_COUNTS 10
#define JOBS         store_fixtures_jobs()
#define BATCH_SIZE   (JOBS / BATCH_COUNTS)

struct worker_arg {
    struct dlcs_store *store;
    int64_t customer, space;
    const int64_t *batches;
    int index;
    int recorded, duplicates;
};

static void *worker(void *p)
{
    struct worker_arg *w = p;

    for (int pass = 0; pass < 2; pass++) {
        for (int j = w->index; j < JOBS; j += THREADS) {
            char id[32];
            enum dlcs_completion o;
            const char *error = (j % 100 == 0) ? "undecodable" : NULL;

            (void)snprintf(id, sizeof id, "b%d-%d", j / BATCH_SIZE, j % BATCH_SIZE);
            o = complete_now(w->store, w->customer, w->space, id, w->batches[j / BATCH_SIZE],
                             error);
            w->recorded += o == DLCS_COMPLETION_RECORDED;
            w->duplicates += o == DLCS_COMPLETION_DUPLICATE;
        }
    }
    return NULL;
}

static void concurrent_completions_are_exact(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b[BATCH_COUNTS], got;
    int64_t ids[BATCH_COUNTS];
    pthread_t threads[THREADS];
    struct worker_arg args[THREADS];
    int64_t c = make_customer(s, "acme");
    int64_t sp = make_space(s, c, 0, "books");
    int recorded = 0, duplicates = 0;

    for (int i = 0; i < BATCH_COUNTS; i++) {
        char prefix[16];

        (void)snprintf(prefix, sizeof prefix, "b%d-", i);
        register_many(s, c, sp, prefix, "book", (size_t)BATCH_SIZE, &b[i]);
        ids[i] = b[i].id;
    }
    for (int t = 0; t < THREADS; t++) {
        args[t] = (struct worker_arg){s, c, sp, ids, t, 0, 0};
        assert_int_equal(pthread_create(&threads[t], NULL, worker, &args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        recorded += args[t].recorded;
        duplicates += args[t].duplicates;
    }
    assert_int_equal(recorded, JOBS);
    assert_int_equal(duplicates, JOBS);
    for (int i = 0; i < BATCH_COUNTS; i++) {
        get_batch(s, ids[i], &got);
        assert_int_equal(got.count, BATCH_SIZE);
        assert_int_equal(got.errors, BATCH_SIZE / 100);
        assert_int_equal(got.completed, BATCH_SIZE - BATCH_SIZE / 100);
        assert_true(got.finished > 0);
    }
}

/* ---- named queries, origin strategies, delivery-channel policies -------------------------- */

static void named_queries(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_named_query nq, found;
    struct dlcs_query q = {.limit = 10, .count_total = true};
    struct dlcs_error err = {0};
    int64_t c = make_customer(s, "acme");

    dlcs_entity_init(&dlcs_named_query_entity, &nq);
    nq.customer = c;
    nq.name = dlcs_xstrdup("manifest");
    nq.template = dlcs_xstrdup("canvas=n1&space=p1&s1=p2");
    OK(dlcs_store_insert(s, &dlcs_named_query_entity, &nq, NULL));
    assert_non_null(nq.id);
    assert_int_equal(strlen(nq.id), 36);
    dlcs_str_replace(&nq.id, NULL);
    assert_int_equal(dlcs_store_insert(s, &dlcs_named_query_entity, &nq, &err), DLCS_ECONFLICT);

    dlcs_query_eq_int(&q, "customer", c);
    dlcs_query_eq_str(&q, "name", "manifest");
    dlcs_entity_init(&dlcs_named_query_entity, &found);
    OK(dlcs_store_find_one(s, &dlcs_named_query_entity, &q, &found, NULL));
    assert_string_equal(found.template, "canvas=n1&space=p1&s1=p2");
    dlcs_entity_release(&dlcs_named_query_entity, &found);
    dlcs_entity_release(&dlcs_named_query_entity, &nq);
}

static void origin_strategies_in_order(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_origin_strategy o;
    struct dlcs_query q = {.limit = 10, .count_total = true};
    struct dlcs_list l;
    int64_t c = make_customer(s, "acme");
    const int orders[] = {3, 1, 2};

    for (int i = 0; i < 3; i++) {
        dlcs_entity_init(&dlcs_origin_strategy_entity, &o);
        o.customer = c;
        o.regex = dlcs_xasprintf("^https://h%d/", i);
        o.strategy = dlcs_xstrdup("basic-http-authentication");
        o.credentials = dlcs_xstrdup("{\"user\":\"u\",\"password\":\"p\"}");
        o.order = orders[i];
        OK(dlcs_store_insert(s, &dlcs_origin_strategy_entity, &o, NULL));
        dlcs_entity_release(&dlcs_origin_strategy_entity, &o);
    }
    dlcs_query_eq_int(&q, "customer", c);
    dlcs_query_order(&q, "order", false);
    OK(dlcs_store_list(s, &dlcs_origin_strategy_entity, &q, &l, NULL));
    assert_int_equal(l.count, 3);
    assert_string_equal(((struct dlcs_origin_strategy *)dlcs_list_at(&l, 0))->regex,
                        "^https://h1/");
    assert_non_null(((struct dlcs_origin_strategy *)dlcs_list_at(&l, 0))->credentials);
    dlcs_list_release(&l);
}

static void delivery_channel_policies(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_delivery_channel_policy p;
    struct dlcs_error err = {0};
    int64_t c = make_customer(s, "acme"), modified;

    dlcs_entity_init(&dlcs_delivery_channel_policy_entity, &p);
    p.customer = c;
    p.channel = dlcs_xstrdup("thumbs");
    p.name = dlcs_xstrdup("default");
    p.policy_data = dlcs_xstrdup("[\"!1024,1024\",\"!400,400\"]");
    OK(dlcs_store_insert(s, &dlcs_delivery_channel_policy_entity, &p, NULL));
    assert_true(p.policy_created > 0);
    assert_int_equal(dlcs_store_insert(s, &dlcs_delivery_channel_policy_entity, &p, &err),
                     DLCS_ECONFLICT);
    modified = p.policy_modified;
    dlcs_str_replace(&p.display_name, "Default thumbs");
    OK(dlcs_store_update(s, &dlcs_delivery_channel_policy_entity, &p,
                         DLCS_FIELD_BIT(dlcs_entity_field_index(
                             &dlcs_delivery_channel_policy_entity, "displayName")),
                         NULL));
    assert_true(p.policy_modified >= modified);
    dlcs_str_replace(&p.display_name, NULL);
    OK(dlcs_store_get(s, &dlcs_delivery_channel_policy_entity, &p, NULL));
    assert_string_equal(p.display_name, "Default thumbs");
    assert_string_equal(p.policy_data, "[\"!1024,1024\",\"!400,400\"]");
    dlcs_entity_release(&dlcs_delivery_channel_policy_entity, &p);
}

static void usage_is_computed_per_customer_and_space(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_usage u;
    int64_t c = make_customer(s, "acme"), other = make_customer(s, "other");

    make_space(s, c, 1, "one");
    make_space(s, c, 2, "two");
    make_space(s, other, 1, "theirs");
    register_many(s, c, 1, "a", "b1", 3, NULL);
    register_many(s, c, 2, "b", "b2", 2, NULL);
    register_many(s, other, 1, "c", "b3", 4, NULL);
    /* 1000 derivative and 100 thumbnail bytes each, once ingested */
    assert_int_equal(complete_now(s, c, 1, "a0", 0, NULL), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete_now(s, c, 1, "a1", 0, NULL), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete_now(s, c, 2, "b0", 0, NULL), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete_now(s, other, 1, "c0", 0, NULL), DLCS_COMPLETION_RECORDED);
    OK(dlcs_store_usage(s, c, 0, &u, NULL));
    assert_int_equal(u.images, 5);
    assert_int_equal(u.bytes, 3000);
    assert_int_equal(u.thumbnail_bytes, 300);
    OK(dlcs_store_usage(s, c, 1, &u, NULL));
    assert_int_equal(u.images, 3);
    assert_int_equal(u.bytes, 2000);
    OK(dlcs_store_usage(s, c, 3, &u, NULL));
    assert_int_equal(u.images, 0);
    assert_int_equal(u.bytes, 0);
    /* a removed asset no longer counts */
    OK(remove_one(s, c, 1, "a0", NULL));
    OK(dlcs_store_usage(s, c, 0, &u, NULL));
    assert_int_equal(u.images, 4);
    assert_int_equal(u.bytes, 2000);
    assert_int_equal(u.thumbnail_bytes, 200);
}

/* Update then remove for each simple entity; a removed record is gone, a second remove 404s. */
static void update_and_remove_every_simple_entity(void **state)
{
    struct dlcs_store *s = *state;
    int64_t c = make_customer(s, "acme");
    struct dlcs_named_query nq;
    struct dlcs_origin_strategy o;
    struct dlcs_delivery_channel_policy p;
    struct dlcs_customer cu;

    dlcs_entity_init(&dlcs_named_query_entity, &nq);
    nq.customer = c;
    nq.name = dlcs_xstrdup("book");
    nq.template = dlcs_xstrdup("s1=p1");
    OK(dlcs_store_insert(s, &dlcs_named_query_entity, &nq, NULL));
    dlcs_str_replace(&nq.template, "s1=p1&canvas=n1");
    OK(dlcs_store_update(s, &dlcs_named_query_entity, &nq,
                         dlcs_entity_all(&dlcs_named_query_entity), NULL));
    dlcs_str_replace(&nq.template, NULL);
    OK(dlcs_store_get(s, &dlcs_named_query_entity, &nq, NULL));
    assert_string_equal(nq.template, "s1=p1&canvas=n1");
    OK(dlcs_store_remove(s, &dlcs_named_query_entity, &nq, NULL));
    assert_int_equal(dlcs_store_get(s, &dlcs_named_query_entity, &nq, NULL), DLCS_ENOTFOUND);
    assert_int_equal(dlcs_store_remove(s, &dlcs_named_query_entity, &nq, NULL), DLCS_ENOTFOUND);
    dlcs_entity_release(&dlcs_named_query_entity, &nq);

    dlcs_entity_init(&dlcs_origin_strategy_entity, &o);
    o.customer = c;
    o.regex = dlcs_xstrdup("^s3://bucket/");
    o.strategy = dlcs_xstrdup("s3-ambient");
    OK(dlcs_store_insert(s, &dlcs_origin_strategy_entity, &o, NULL));
    o.order = 5;
    OK(dlcs_store_update(s, &dlcs_origin_strategy_entity, &o,
                         dlcs_entity_all(&dlcs_origin_strategy_entity), NULL));
    o.order = 0;
    OK(dlcs_store_get(s, &dlcs_origin_strategy_entity, &o, NULL));
    assert_int_equal(o.order, 5);
    OK(dlcs_store_remove(s, &dlcs_origin_strategy_entity, &o, NULL));
    assert_int_equal(dlcs_store_get(s, &dlcs_origin_strategy_entity, &o, NULL), DLCS_ENOTFOUND);
    dlcs_entity_release(&dlcs_origin_strategy_entity, &o);

    dlcs_entity_init(&dlcs_delivery_channel_policy_entity, &p);
    p.customer = c;
    p.channel = dlcs_xstrdup("thumbs");
    p.name = dlcs_xstrdup("small");
    p.policy_data = dlcs_xstrdup("[\"!100,100\"]");
    OK(dlcs_store_insert(s, &dlcs_delivery_channel_policy_entity, &p, NULL));
    OK(dlcs_store_remove(s, &dlcs_delivery_channel_policy_entity, &p, NULL));
    assert_int_equal(dlcs_store_get(s, &dlcs_delivery_channel_policy_entity, &p, NULL),
                     DLCS_ENOTFOUND);
    dlcs_entity_release(&dlcs_delivery_channel_policy_entity, &p);

    dlcs_entity_init(&dlcs_customer_entity, &cu);
    cu.id = c;
    OK(dlcs_store_remove(s, &dlcs_customer_entity, &cu, NULL));
    assert_int_equal(dlcs_store_get(s, &dlcs_customer_entity, &cu, NULL), DLCS_ENOTFOUND);
    dlcs_entity_release(&dlcs_customer_entity, &cu);
}

/* Register 'n' assets "<prefix><i>" as queued jobs (optionally priority). */
static void queue_many(struct dlcs_store *s, int64_t customer, int64_t space, const char *prefix,
                       size_t n, bool priority)
{
    struct dlcs_asset *assets = dlcs_xcalloc(n, sizeof *assets);
    struct dlcs_registration reg = {assets, n, NULL, true, priority, false, NULL};

    for (size_t i = 0; i < n; i++) {
        char id[64];

        (void)snprintf(id, sizeof id, "%s%zu", prefix, i);
        fill_asset(&assets[i], customer, space, id, NULL, (int64_t)i);
    }
    OK(dlcs_store_register(s, &reg, NULL));
    for (size_t i = 0; i < n; i++)
        dlcs_entity_release(&dlcs_asset_entity, &assets[i]);
    free(assets);
}

/* A lease of 'ms' held by worker "w1" in its run "run-1". */
#define LEASE(ms) ((struct dlcs_outbox_lease){(ms), "w1", "run-1"})

/* Claim one outbox entry under 'lease'. */
static enum dlcs_status claim1(struct dlcs_store *s, struct dlcs_outbox_lease lease,
                               struct dlcs_job *job)
{
    size_t n = 0;

    return dlcs_store_outbox_claim(s, &(struct dlcs_outbox_claim){&lease, job, 1}, &n, NULL);
}

static void outbox_entries_are_leased_retried_and_removed(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_job a, b, c;
    struct timespec pause = {0, 600 * 1000000L}; /* longer than b's lease, below */
    int64_t n = 0, cu = make_customer(s, "acme");
    int64_t sp = make_space(s, cu, 0, "books");

    queue_many(s, cu, sp, "slow", 2, false);
    queue_many(s, cu, sp, "fast", 1, true);
    OK(dlcs_store_outbox_count(s, &n, NULL));
    assert_int_equal(n, 3);
    OK(claim1(s, LEASE(60000), &a));
    assert_string_equal(a.asset, "fast0"); /* priority first */
    assert_true(a.priority);
    assert_int_equal(a.generation, generation_of(s, cu, sp, "fast0"));
    assert_int_equal(a.attempt, 1);
    /* long enough that a loaded machine cannot let it lapse before the ENOTFOUND below */
    OK(claim1(s, LEASE(400), &b));
    assert_string_equal(b.asset, "slow0");
    OK(claim1(s, LEASE(60000), &c));
    assert_string_equal(c.asset, "slow1");
    assert_int_equal(claim1(s, LEASE(60000), &c), DLCS_ENOTFOUND);
    nanosleep(&pause, NULL); /* b's 400 ms lease has run out: as if its worker died */
    OK(claim1(s, LEASE(60000), &c));
    assert_string_equal(c.asset, "slow0");
    assert_int_equal(c.attempt, 2);
    OK(dlcs_store_outbox_retry(s, c.receipt, dlcs_time_now_ms() + 10, NULL));
    assert_int_equal(claim1(s, LEASE(60000), &b), DLCS_ENOTFOUND);
    nanosleep(&pause, NULL);
    OK(claim1(s, LEASE(60000), &b));
    assert_int_equal(b.receipt, c.receipt);
    OK(dlcs_store_outbox_remove(s, &a.receipt, 1, NULL));
    OK(dlcs_store_outbox_remove(s, &a.receipt, 1, NULL)); /* gone already: fine */
    OK(dlcs_store_outbox_count(s, &n, NULL));
    assert_int_equal(n, 2);
    /* re-registering replaces the asset's entry: one per asset, of the newest generation */
    queue_many(s, cu, sp, "slow", 1, false);
    OK(dlcs_store_outbox_count(s, &n, NULL));
    assert_int_equal(n, 2);
}

/* A relay claims many at once, in the queue's order; added entries keep what they say. */
static void outbox_claims_in_batches(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_job jobs[8], added = {.customer = 0, .generation = 7, .batch = 0, .attempt = 3};
    int64_t receipts[8], cu = make_customer(s, "acme");
    int64_t sp = make_space(s, cu, 0, "books");
    size_t n = 0;
    struct dlcs_outbox_lease lease = LEASE(60000);

    queue_many(s, cu, sp, "p", 3, false);
    queue_many(s, cu, sp, "q", 2, true);
    added.customer = cu;
    added.space = sp;
    (void)snprintf(added.asset, sizeof added.asset, "%s", "x");
    OK(dlcs_store_outbox_add(s, &added, 1, NULL));
    OK(dlcs_store_outbox_claim(s, &(struct dlcs_outbox_claim){&lease, jobs, 8}, &n, NULL));
    assert_int_equal(n, 6);
    assert_string_equal(jobs[0].asset, "q0");
    assert_string_equal(jobs[1].asset, "q1");
    assert_string_equal(jobs[2].asset, "p0");
    assert_string_equal(jobs[4].asset, "p2");
    assert_string_equal(jobs[5].asset, "x");
    assert_int_equal(jobs[5].generation, 7);
    assert_int_equal(jobs[5].attempt, 3); /* published for its third run */
    for (size_t i = 0; i < n; i++)
        receipts[i] = jobs[i].receipt;
    OK(dlcs_store_outbox_remove(s, receipts, n, NULL));
    assert_int_equal(
        dlcs_store_outbox_claim(s, &(struct dlcs_outbox_claim){&lease, jobs, 8}, &n, NULL),
        DLCS_ENOTFOUND);
}

/* A worker that starts again under its name takes back its dead run's leases at once. */
static void a_restarted_worker_reclaims_its_leases(void **state)
{
    struct dlcs_store *s = *state;
    const struct dlcs_outbox_lease other = {3600000, "w2", "run-9"};
    const struct dlcs_outbox_lease next_run = {3600000, "w1", "run-2"};
    struct dlcs_job a, b, c;
    int64_t n = 0, cu = make_customer(s, "acme");
    int64_t sp = make_space(s, cu, 0, "books");

    queue_many(s, cu, sp, "p", 2, false);
    OK(claim1(s, LEASE(3600000), &a)); /* run-1 of w1: an hour's lease */
    OK(claim1(s, other, &b));          /* another worker's */
    assert_int_equal(claim1(s, next_run, &c), DLCS_ENOTFOUND);
    OK(dlcs_store_outbox_reclaim(s, &next_run, &n, NULL)); /* w1 starts again as run-2 */
    assert_int_equal(n, 1);                                /* only its own predecessor's */
    OK(claim1(s, next_run, &c));
    assert_int_equal(c.receipt, a.receipt);
    assert_int_equal(c.attempt, 2);
    OK(dlcs_store_outbox_reclaim(s, &next_run, &n, NULL)); /* its own live leases stay */
    assert_int_equal(n, 0);
}

/* One holder at a time; it renews and gives up its lease; a lease that ran out is free. */
static void a_lease_is_held_by_one_holder_at_a_time(void **state)
{
    struct dlcs_store *s = *state;
    struct timespec pause = {0, 500 * 1000000L};
    bool held = false;

    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"job", "a", 300}, &held, NULL));
    assert_true(held);
    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"job", "b", 300}, &held, NULL));
    assert_false(held);
    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"other", "b", 300}, &held, NULL));
    assert_true(held); /* leases are by name */
    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"job", "a", 60000}, &held, NULL));
    assert_true(held); /* renewed */
    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"job", "b", 0}, &held, NULL));
    assert_false(held); /* only its holder gives a lease up */
    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"job", "b", 300}, &held, NULL));
    assert_false(held);
    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"job", "a", 0}, &held, NULL));
    assert_false(held);
    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"job", "b", 300}, &held, NULL));
    assert_true(held);
    nanosleep(&pause, NULL); /* b's lease runs out: as if its process died */
    OK(dlcs_store_lease(s, &(struct dlcs_store_lease){"job", "a", 300}, &held, NULL));
    assert_true(held);
    assert_int_equal(dlcs_store_lease(s, &(struct dlcs_store_lease){"", "a", 300}, &held, NULL),
                     DLCS_EINVAL);
}

static size_t requeue(struct dlcs_store *s, int64_t before, size_t max)
{
    size_t n = 99;

    OK(dlcs_store_requeue_stalled(s, &(struct dlcs_stalled_requeue){before, max}, &n, NULL));
    return n;
}

/* Take every outbox entry (as a relay that published them), into 'jobs' (up to 8). */
static size_t drain_outbox(struct dlcs_store *s, struct dlcs_job *jobs)
{
    struct dlcs_outbox_lease lease = LEASE(60000);
    int64_t receipts[8];
    size_t n = 0;

    if (dlcs_store_outbox_claim(s, &(struct dlcs_outbox_claim){&lease, jobs, 8}, &n, NULL) !=
        DLCS_OK)
        return 0;
    for (size_t i = 0; i < n; i++)
        receipts[i] = jobs[i].receipt;
    OK(dlcs_store_outbox_remove(s, receipts, n, NULL));
    return n;
}

/* Ingesting past the deadline with no outbox entry: a job again, once per deadline. */
static void stalled_assets_get_their_job_again(void **state)
{
    struct dlcs_store *s = *state;
    struct timespec pause = {0, 30 * 1000000L};
    struct dlcs_batch b;
    struct dlcs_job jobs[8];
    int64_t n = 0, before, cu = make_customer(s, "acme");
    int64_t sp = make_space(s, cu, 0, "books");

    register_many(s, cu, sp, "p", NULL, 3, &b); /* no jobs: as if the queue lost them */
    queue_many(s, cu, sp, "q", 1, false);       /* q0's job is in the outbox */
    assert_int_equal(complete_now(s, cu, sp, "p0", b.id, NULL), DLCS_COMPLETION_RECORDED);
    nanosleep(&pause, NULL);
    assert_int_equal(requeue(s, dlcs_time_now_ms() - 60000, 10), 0); /* not past the deadline */
    before = dlcs_time_now_ms();
    assert_int_equal(requeue(s, before, 1), 1); /* in writes of 'max' */
    assert_int_equal(requeue(s, before, 10), 1);
    assert_int_equal(requeue(s, before, 10), 0);
    OK(dlcs_store_outbox_count(s, &n, NULL));
    assert_int_equal(n, 3);
    assert_int_equal(drain_outbox(s, jobs), 3);
    for (int i = 0; i < 3; i++) {
        if (strcmp(jobs[i].asset, "q0") == 0)
            continue;
        assert_true(strcmp(jobs[i].asset, "p1") == 0 || strcmp(jobs[i].asset, "p2") == 0);
        assert_int_equal(jobs[i].generation, generation_of(s, cu, sp, jobs[i].asset));
        assert_int_equal(jobs[i].batch, b.id);
        assert_int_equal(jobs[i].attempt, 1);
    }
    /* p1 and p2 published again and slow once more: not before another deadline has passed;
     * q0's job went out too and never came back: its turn */
    assert_int_equal(requeue(s, before, 10), 1);
    nanosleep(&pause, NULL);
    assert_int_equal(requeue(s, dlcs_time_now_ms(), 10), 2); /* p1, p2; q0 has its entry */
    assert_int_equal(complete_now(s, cu, sp, "p1", b.id, NULL), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete_now(s, cu, sp, "p2", b.id, NULL), DLCS_COMPLETION_RECORDED);
    get_batch(s, b.id, &b);
    assert_int_equal(b.completed, 3);
    assert_true(b.finished > 0);
}

/* Register one asset 'id' again, outside any batch. */
static void register_again(struct dlcs_store *s, int64_t customer, int64_t space, const char *id)
{
    struct dlcs_asset a;
    struct dlcs_registration reg = {&a, 1, NULL, false, false, false, NULL};

    fill_asset(&a, customer, space, id, NULL, 0);
    OK(dlcs_store_register(s, &reg, NULL));
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

/* reingest-errors: the batch's own failed members run again; its counters move back exactly. */
static void failed_batch_members_go_back_exactly(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b, got;
    struct dlcs_asset a;
    struct dlcs_job jobs[8];
    int64_t n = 0, g1, cu = make_customer(s, "acme"), other = make_customer(s, "other");
    int64_t sp = make_space(s, cu, 0, "books");

    register_many(s, cu, sp, "p", NULL, 4, &b);
    assert_int_equal(complete_now(s, cu, sp, "p0", b.id, NULL), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete_now(s, cu, sp, "p1", b.id, "404"), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete_now(s, cu, sp, "p2", b.id, "404"), DLCS_COMPLETION_RECORDED);
    register_again(s, cu, sp, "p2"); /* no longer the batch's: it stays an error there */
    g1 = generation_of(s, cu, sp, "p1");
    assert_int_equal(dlcs_store_batch_requeue_errors(s, other, b.id, &n, NULL), DLCS_ENOTFOUND);
    assert_int_equal(dlcs_store_batch_requeue_errors(s, cu, b.id + 100, &n, NULL), DLCS_ENOTFOUND);
    OK(dlcs_store_batch_requeue_errors(s, cu, b.id, &n, NULL));
    assert_int_equal(n, 1);
    get_batch(s, b.id, &got);
    assert_int_equal(got.count, 4);
    assert_int_equal(got.completed, 1);
    assert_int_equal(got.errors, 1);
    assert_int_equal(got.finished, 0);
    get_asset(s, cu, sp, "p1", &a);
    assert_true(a.ingesting);
    assert_null(a.error);
    assert_true(a.generation > g1);
    assert_int_equal(a.batch, b.id);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    assert_int_equal(drain_outbox(s, jobs), 1); /* its job, of the new generation */
    assert_string_equal(jobs[0].asset, "p1");
    assert_int_equal(jobs[0].generation, generation_of(s, cu, sp, "p1"));
    assert_int_equal(jobs[0].batch, b.id);
    /* the old generation's job is stale; the new one counts once */
    assert_int_equal(complete(s, cu, sp, "p1", g1, b.id, NULL), DLCS_COMPLETION_STALE);
    assert_int_equal(complete_now(s, cu, sp, "p1", b.id, NULL), DLCS_COMPLETION_RECORDED);
    assert_int_equal(complete_now(s, cu, sp, "p3", b.id, NULL), DLCS_COMPLETION_RECORDED);
    get_batch(s, b.id, &got);
    assert_int_equal(got.completed, 3);
    assert_int_equal(got.errors, 1); /* p2, registered elsewhere since */
    assert_true(got.finished > 0);
    OK(dlcs_store_batch_requeue_errors(s, cu, b.id, &n, NULL));
    assert_int_equal(n, 0); /* nothing of its own left to run again: the batch stays finished */
    get_batch(s, b.id, &got);
    assert_true(got.finished > 0);
}

int store_contract_run(const struct store_contract_adapter *a)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(customer_crud, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(customer_name_conflicts, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(keys_by_customer, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(space_ids_are_per_customer, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(space_defaults_round_trip, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(space_delete_refused_while_it_holds_images, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(register_creates_then_replaces, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(register_into_unknown_space_writes_nothing, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(register_refuses_duplicate_ids, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(update_changes_only_the_fields_sent, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(paging_and_ordering, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(ordering_refuses_unknown_and_unsortable_fields, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(metadata_filters, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(batch_counters_and_finish, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(stale_and_duplicate_completions_change_nothing, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(reregistration_keeps_serving_until_it_completes,
                                        store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(generations_are_never_reused, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(registration_reports_previous_origins, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(conditional_registration_needs_the_generation_read,
                                        store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(usage_counts_uploaded_originals, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(batch_left_by_every_asset_is_superseded, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(deleting_an_asset_never_strands_its_batch, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(batch_membership_history, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(active_batches_filter, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(concurrent_completions_are_exact, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(named_queries, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(origin_strategies_in_order, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(delivery_channel_policies, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(usage_is_computed_per_customer_and_space, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(update_and_remove_every_simple_entity, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(outbox_entries_are_leased_retried_and_removed, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(outbox_claims_in_batches, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(a_restarted_worker_reclaims_its_leases, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(a_lease_is_held_by_one_holder_at_a_time, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(stalled_assets_get_their_job_again, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(failed_batch_members_go_back_exactly, store_setup,
                                        store_teardown),
    };

    store_fixtures_use(a);
    cmocka_set_message_output(CM_OUTPUT_STDOUT);
    return _cmocka_run_group_tests(a->name, tests, sizeof tests / sizeof tests[0], NULL, NULL) +
           store_contract_paging_run(a) + store_contract_failures_run(a);
}
