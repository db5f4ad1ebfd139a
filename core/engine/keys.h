/* Object keys of waves (DESIGN §2): --key-template with {stamp} (the wave start as
 * YYYY-MM-DD_HH-MM-SS UTC), {wave} and {n}; default image_capture_{stamp}.jpg. A key an
 * earlier wave used gets -w{wave} before its extension, so every wave's key is unique and
 * its log lines can be told apart. */
#ifndef SEGTOP_CORE_ENGINE_KEYS_H
#define SEGTOP_CORE_ENGINE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"
#include "util/seg.h"

#define SEG_KEY_DEFAULT_TEMPLATE "image_capture_{stamp}.jpg"
#define SEG_KEY_MAX              1024 /* S3's limit on key length */

/* Checks a template: known placeholders only, a result within SEG_KEY_MAX. */
enum seg_err seg_key_template_check(const char *tpl, struct seg_errmsg *err) SEG_MUST_USE;

/* Renders the key of wave `wave` (1-based) of size n that starts at start_ms (UTC epoch
 * ms). used/nused are the keys of earlier waves. out must hold SEG_KEY_MAX + 1 bytes. */
enum seg_err seg_key_render(const char *tpl, int64_t start_ms, int wave, int n,
                            const char *const *used, size_t nused, char *out) SEG_MUST_USE;

#endif
