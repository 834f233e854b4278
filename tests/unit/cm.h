/* SPDX-License-Identifier: Apache-2.0 */
/* cmocka 1.x needs these three before cmocka.h. */
#ifndef DLCS_TEST_CM_H
#define DLCS_TEST_CM_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#endif
