/* libFuzzer: the simulator's Lambda request parsers: REST routes from a raw path and the
 * FunctionName forms (name, name:qualifier, partial and full ARNs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/lambda_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    struct seg_sim_lambda_route r;
    if (seg_sim_lambda_parse_route(methods[size % 4], s, &r) == SEG_OK) {
        if (r.function) {
            struct seg_sim_lambda_name n;
            if (seg_sim_lambda_split_name(r.function, &n) == SEG_OK)
                seg_sim_lambda_name_release(&n);
        }
        seg_sim_lambda_route_release(&r);
    }
    struct seg_sim_lambda_name n;
    if (seg_sim_lambda_split_name(s, &n) == SEG_OK)
        seg_sim_lambda_name_release(&n);
    free(s);
    return 0;
}
