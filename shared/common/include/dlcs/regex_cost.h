/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a stored POSIX extended regular expression may cost before it is ever compiled. glibc's
 * regcomp expands bounded repetitions by copying: nested ones multiply, so 26 bytes such as
 * ((a{1,100}){1,100}){1,100} take a gigabyte and seconds to compile. Patterns come from
 * customers (origin strategies), so their expanded size is bounded here, cheaply, first.
 */
#ifndef DLCS_REGEX_COST_H
#define DLCS_REGEX_COST_H

#include "dlcs/error.h"

#define DLCS_REGEX_MAX_LEN      1024  /* bytes of pattern */
#define DLCS_REGEX_MAX_REPEAT   255   /* the largest {m,n} bound */
#define DLCS_REGEX_MAX_EXPANDED 20000 /* atoms once every bounded repetition is copied out */

/*
 * DLCS_OK when 'pattern' is within the three limits above; DLCS_EINVAL naming 'field' and the
 * limit otherwise. Syntax is not checked here (regcomp does that, once the cost is known).
 */
enum dlcs_status dlcs_regex_cost_check(const char *pattern, const char *field,
                                       struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_REGEX_COST_H */
