/* The object a wave uploads when no --image is given (refused with --aws: DESIGN §2). */
#ifndef SEGTOP_CORE_ENGINE_IMAGE_H
#define SEGTOP_CORE_ENGINE_IMAGE_H

#include <stddef.h>

const unsigned char *seg_builtin_image(size_t *len);

#endif
