/* Terminal-safe text from untrusted log bytes (DESIGN §5: log text is untrusted).
 *
 * What is replaced, each by U+FFFD (EF BF BD), so tampering stays visible:
 *   - C0 controls (0x00-0x1F) except TAB, LF and CR, which become one space each (a log
 *     message is shown on one row; a bare CR could overwrite what was drawn before it);
 *   - DEL (0x7F);
 *   - C1 controls: U+0080-U+009F encoded in UTF-8 (C2 80..C2 9F), and raw bytes 0x80-0x9F,
 *     which are never valid UTF-8 on their own (0x9B is the 8-bit CSI);
 *   - invalid UTF-8: stray continuation bytes, truncated sequences, overlong forms
 *     (C0, C1, E0 80-9F, F0 80-8F), UTF-16 surrogates (ED A0-BF), code points above
 *     U+10FFFF (F4 90+, F5-FF). One U+FFFD per maximal invalid subpart (Unicode §3.9);
 *   - bidirectional formatting: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069,
 *     and the line/paragraph separators U+2028, U+2029.
 * Everything else (printable ASCII, valid UTF-8 such as CJK or emoji) is copied unchanged.
 * ESC (0x1B) is a C0 control, so "ESC[2J" and OSC sequences lose their introducer and
 * print as harmless text. */
#ifndef SEGTOP_CORE_LOGS_SANITIZE_H
#define SEGTOP_CORE_LOGS_SANITIZE_H

#include <stddef.h>

/* Writes the sanitised form of in[0..len) to out, always NUL-terminated when
 * out_size > 0, and returns the bytes written (without the NUL). Output stops before the
 * first character (or replacement) that would not fit: a UTF-8 sequence is never split.
 * Embedded NULs in the input are input bytes like any other (replaced). */
size_t seg_sanitize_for_terminal(const char *in, size_t len, char *out, size_t out_size);

/* The same, and *in_used (when not NULL) is the number of input bytes consumed:
 * in_used < len means the output was truncated. */
size_t seg_sanitize_for_terminal_ex(const char *in, size_t len, char *out, size_t out_size,
                                    size_t *in_used);

#endif
