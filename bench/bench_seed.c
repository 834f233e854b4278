/* SPDX-License-Identifier: Apache-2.0 */
#include "bench_seed.h"

#include "dlcs/mem.h"

enum dlcs_status bench_seed_customer(struct dlcs_store *s, const char *space_name,
                                     struct dlcs_error *err)
{
    struct dlcs_customer c;
    struct dlcs_space sp;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_customer_entity, &c);
    c.name = dlcs_xstrdup("bench");
    c.display_name = dlcs_xstrdup("Bench");
    dlcs_entity_init(&dlcs_space_entity, &sp);
    sp.customer = 1;
    sp.name = dlcs_xstrdup(space_name);
    st = dlcs_store_insert(s, &dlcs_customer_entity, &c, err);
    if (st == DLCS_OK)
        st = dlcs_store_insert(s, &dlcs_space_entity, &sp, err);
    dlcs_entity_release(&dlcs_customer_entity, &c);
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return st;
}
