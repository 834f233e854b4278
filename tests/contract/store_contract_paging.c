/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store contract, paging and ids: cursor (keyset) pages walk every match exactly once in
 * every sort order, unset strings and ties included; a cursor is refused on another listing;
 * integer ids are minted once, across threads, and never given again.
 */
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dlcs/b64url.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "store_contract.h"
#include "store_fixtures.h"

#define ASSETS 40

/* ASSETS assets "a<i>": string1 unset for every third, else one of four values (ties). */
static int64_t register_mixed(struct dlcs_store *s, int64_t *space)
{
    struct dlcs_asset assets[ASSETS];
    struct dlcs_registration reg = {assets, ASSETS, NULL, false, false, false, NULL};
    int64_t c = make_customer(s, "acme");

    *space = make_space(s, c, 0, "books");
    for (int i = 0; i < ASSETS; i++) {
        char id[16], s1[16];

        (void)snprintf(id, sizeof id, "a%d", i);
        (void)snprintf(s1, sizeof s1, "s%d", i % 4);
        fill_asset(&assets[i], c, *space, id, i % 3 == 0 ? NULL : s1, (i * 7) % 5);
    }
    OK(dlcs_store_register(s, &reg, NULL));
    for (int i = 0; i < ASSETS; i++)
        dlcs_entity_release(&dlcs_asset_entity, &assets[i]);
    return c;
}

/* The ids of 'q' read in pages of 'size' by cursor, joined with spaces; the page count. */
static char *walk(struct dlcs_store *s, struct dlcs_query q, int64_t size, int *pages)
{
    char *ids = dlcs_xstrdup(""), *after = NULL;

    q.limit = size;
    *pages = 0;
    do {
        struct dlcs_list l;
        char *joined;

        q.after = after;
        OK(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, NULL));
        assert_int_equal(l.total, -1); /* not asked */
        assert_true(l.count <= (size_t)size);
        assert_true(l.next_cursor == NULL || l.count == (size_t)size);
        for (size_t i = 0; i < l.count; i++) {
            joined = dlcs_xasprintf("%s %s", ids, ((struct dlcs_asset *)dlcs_list_at(&l, i))->id);
            free(ids);
            ids = joined;
        }
        free(after);
        after = l.next_cursor;
        l.next_cursor = NULL;
        (*pages)++;
        dlcs_list_release(&l);
        assert_true(*pages <= ASSETS);
    } while (after);
    return ids;
}

static char *all_at_once(struct dlcs_store *s, struct dlcs_query q)
{
    int pages;

    return walk(s, q, ASSETS + 1, &pages);
}

static void cursor_pages_walk_every_match_once(void **state)
{
    static const struct {
        const char *f1;
        bool d1;
        const char *f2;
        bool d2;
    } orders[] = {{NULL, false, NULL, false},
                  {"string1", false, NULL, false},
                  {"string1", true, NULL, false},
                  {"number1", true, NULL, false},
                  {"string1", false, "number1", true},
                  {"number1", false, "string1", true},
                  {"id", true, NULL, false},
                  {"finished", false, NULL, false},
                  {"finished", true, "string1", false},
                  {"created", true, NULL, false}};
    struct dlcs_store *s = *state;
    int64_t sp;
    int64_t c = register_mixed(s, &sp);

    for (size_t o = 0; o < DLCS_ARRAY_LEN(orders); o++) {
        struct dlcs_query q = {0};
        char *whole, *paged;
        int pages;

        dlcs_query_eq_int(&q, "customer", c);
        dlcs_query_eq_int(&q, "space", sp);
        if (orders[o].f1)
            dlcs_query_order(&q, orders[o].f1, orders[o].d1);
        if (orders[o].f2)
            dlcs_query_order(&q, orders[o].f2, orders[o].d2);
        whole = all_at_once(s, q);
        paged = walk(s, q, 7, &pages);
        assert_string_equal(paged, whole);
        assert_int_equal(pages, (ASSETS + 6) / 7);
        free(paged);
        paged = walk(s, q, 1, &pages); /* every row a page: each tie crossed by its cursor */
        assert_string_equal(paged, whole);
        free(paged);
        free(whole);
    }
}

static void a_cursor_counts_only_when_asked(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_query q = {.limit = 10};
    struct dlcs_list l, next;
    int64_t sp;
    int64_t c = register_mixed(s, &sp);

    dlcs_query_eq_int(&q, "customer", c);
    OK(dlcs_store_list(s, &dlcs_asset_entity, &q, &l, NULL));
    assert_int_equal(l.total, -1);
    assert_non_null(l.next_cursor);
    q.after = l.next_cursor;
    q.count_total = true;
    OK(dlcs_store_list(s, &dlcs_asset_entity, &q, &next, NULL));
    assert_int_equal(next.total, ASSETS); /* every match, not what is left */
    assert_int_equal(next.count, 10);
    assert_string_not_equal(((struct dlcs_asset *)dlcs_list_at(&next, 0))->id,
                            ((struct dlcs_asset *)dlcs_list_at(&l, 0))->id);
    dlcs_list_release(&next);
    dlcs_list_release(&l);
}

static void expect_refused(struct dlcs_store *s, const struct dlcs_query *q, const char *name)
{
    struct dlcs_list l;
    struct dlcs_error err = {0};

    assert_int_equal(dlcs_store_list(s, &dlcs_asset_entity, q, &l, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, name));
    assert_int_equal(l.count, 0);
    dlcs_list_release(&l);
}

static void a_cursor_belongs_to_its_listing(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_query by_number = {.limit = 5}, by_string;
    struct dlcs_list l;
    char *not_json = dlcs_b64url_encode("[1,", 3), *not_pairs = dlcs_b64url_encode("[1,2]", 5);
    int64_t sp;
    int64_t c = register_mixed(s, &sp);

    dlcs_query_eq_int(&by_number, "customer", c);
    dlcs_query_order(&by_number, "number1", false);
    by_string = by_number;
    by_string.order_count = 0;
    dlcs_query_order(&by_string, "string1", false);
    OK(dlcs_store_list(s, &dlcs_asset_entity, &by_number, &l, NULL));
    by_string.after = l.next_cursor; /* another order's cursor */
    expect_refused(s, &by_string, "'cursor'");
    by_string.order[0].desc = true; /* the same keys, another direction */
    by_string.order[0].field = "number1";
    expect_refused(s, &by_string, "'cursor'");
    by_number.after = "!!!";
    expect_refused(s, &by_number, "'cursor'");
    by_number.after = not_json;
    expect_refused(s, &by_number, "'cursor'");
    by_number.after = not_pairs;
    expect_refused(s, &by_number, "'cursor'");
    by_number.after = l.next_cursor;
    by_number.offset = 5; /* a cursor or an offset, not both */
    expect_refused(s, &by_number, "cursor");
    dlcs_list_release(&l);
    free(not_json);
    free(not_pairs);
}

static void ids_are_never_given_twice(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_customer gone;
    int64_t c1 = make_customer(s, "one"), c2 = make_customer(s, "two"), c3;
    int64_t other;

    dlcs_entity_init(&dlcs_customer_entity, &gone);
    gone.id = c2;
    OK(dlcs_store_remove(s, &dlcs_customer_entity, &gone, NULL));
    c3 = make_customer(s, "three");
    assert_true(c3 > c2 && c2 > c1); /* the newest deleted: its id stays spent */
    other = make_customer(s, "other");
    assert_int_equal(make_space(s, c1, 0, "a"), 1);
    assert_int_equal(make_space(s, c1, 7, "chosen"), 7);
    assert_int_equal(make_space(s, c1, 0, "b"), 8); /* past the chosen one */
    assert_int_equal(make_space(s, c1, 3, "below"), 3);
    assert_int_equal(make_space(s, c1, 0, "c"), 9);
    assert_int_equal(make_space(s, other, 0, "x"), 1); /* space ids are per customer */
    OK(dlcs_store_space_remove(s, c1, 9, NULL));
    assert_int_equal(make_space(s, c1, 0, "d"), 10);
}

/* Threads minting ids at once on one store: none given twice. */
static void concurrent_mints_never_collide(void **state)
{
    struct dlcs_store *s = *state;

    expect_distinct_mints(&s, 1, make_customer(s, "acme"), 4, 25);
}

int store_contract_paging_run(const struct store_contract_adapter *a)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(cursor_pages_walk_every_match_once, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(a_cursor_counts_only_when_asked, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(a_cursor_belongs_to_its_listing, store_setup,
                                        store_teardown),
        cmocka_unit_test_setup_teardown(ids_are_never_given_twice, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(concurrent_mints_never_collide, store_setup,
                                        store_teardown),
    };

    store_fixtures_use(a);
    return cmocka_run_group_tests_name("store contract: paging and ids", tests, NULL, NULL);
}
