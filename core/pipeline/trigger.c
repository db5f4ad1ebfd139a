#include "pipeline/trigger.h"

const char *seg_trigger_name(enum seg_trigger t)
{
    switch (t) {
    case SEG_TRIGGER_S3:
        return "s3";
    case SEG_TRIGGER_INVOKE:
        return "invoke";
    case SEG_TRIGGER_EVENT:
        return "event";
    }
    return "";
}
