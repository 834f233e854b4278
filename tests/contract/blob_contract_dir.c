/* SPDX-License-Identifier: Apache-2.0 */
/* The blob storage contract against the directory adapter, on a fresh directory per test. */
#include <stdio.h>
#include <stdlib.h>

#include "dlcs/adapters.h"
#include "dlcs/fs.h"

#include "blob_contract.h"

static char *root;

static struct dlcs_blobstore *open_empty(void)
{
    struct dlcs_error err = {0};
    struct dlcs_blobstore *b = NULL;
    char url[600];

    root = dlcs_fs_scratch_dir(NULL, "dlcs-blob-contract-", &err);
    if (!root)
        abort();
    (void)snprintf(url, sizeof url, "file://%s", root);
    if (dlcs_blobstore_open(url, NULL, &b, &err) != DLCS_OK) {
        fprintf(stderr, "open %s: %s\n", url, err.message);
        abort();
    }
    return b;
}

static void cleanup(void)
{
    if (dlcs_fs_remove_tree(root, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", root);
    free(root);
    root = NULL;
}

int main(void)
{
    const struct blob_contract_adapter dir = {"blob contract: directory", open_empty, cleanup,
                                              false};

    return blob_contract_run(&dir);
}
