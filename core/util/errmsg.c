#include "util/errmsg.h"

#include <stdarg.h>
#include <stdio.h>

void seg_errmsg_set(struct seg_errmsg *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
}
