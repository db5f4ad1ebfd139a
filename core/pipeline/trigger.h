/* How a wave fires (DESIGN §2): s3 (PutObject into each site's bucket, as the pipeline
 * runs), invoke (synchronous Invoke) or event (asynchronous Invoke), the last two with the
 * same S3 event record the function would get. */
#ifndef SEGTOP_CORE_PIPELINE_TRIGGER_H
#define SEGTOP_CORE_PIPELINE_TRIGGER_H

enum seg_trigger { SEG_TRIGGER_S3 = 0, SEG_TRIGGER_INVOKE, SEG_TRIGGER_EVENT };

/* "s3", "invoke", "event" */
const char *seg_trigger_name(enum seg_trigger t);

#endif
