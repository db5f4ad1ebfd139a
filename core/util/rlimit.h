/* Raises the soft open-file limit to the hard limit: 1,000+ transfers in flight need more
 * than the 1024 descriptors users' shells default to. */
#ifndef SEGTOP_CORE_UTIL_RLIMIT_H
#define SEGTOP_CORE_UTIL_RLIMIT_H

/* Returns the soft limit now in force (or -1 if it cannot be read). */
long seg_rlimit_raise_nofile(void);

#endif
