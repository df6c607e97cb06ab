/* nethost core: metrics in the Prometheus text exposition format (version 0.0.4).
 *
 * A registry of metric families (counter, gauge, histogram), each with a help text and any
 * number of series told apart by their labels. The run, the operations and playbooks feed
 * it; nh_metrics_render() writes the text a scraper reads from /metrics (metrics_http.c).
 * It belongs to one loop (nh_loop_t.metrics): no locks, no globals.
 *
 * Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (not
 * starting with "__", and not "le" on a histogram); label values are any bytes and are
 * escaped when rendered. A family keeps the kind and help it was first used with; using
 * the same name with another kind, or with another set of label names, is NH_EINVAL.
 */
#ifndef NH_METRICS_H
#define NH_METRICS_H

#include <stddef.h>

typedef struct nh_metrics_s nh_metrics_t;

typedef enum { NH_METRIC_COUNTER, NH_METRIC_GAUGE, NH_METRIC_HISTOGRAM } nh_metric_kind_t;

/* One label of a series. */
typedef struct {
  const char *name;
  const char *value;
} nh_metric_label_t;

/* A new, empty registry, or NULL when out of memory. */
nh_metrics_t *nh_metrics_new(void);
void nh_metrics_free(nh_metrics_t *m);

/* Sets a gauge (or a counter, for values counted elsewhere) to v. Returns 0 or a negative
 * NH_E* code (NH_EINVAL for a bad name or a kind clash, NH_ENOMEM). help may be NULL after
 * the family's first use. */
int nh_metrics_set(nh_metrics_t *m, const char *name, const char *help, nh_metric_kind_t kind,
                   const nh_metric_label_t *labels, size_t nlabels, double v);

/* Adds delta to a counter (delta >= 0) or a gauge. */
int nh_metrics_add(nh_metrics_t *m, const char *name, const char *help, nh_metric_kind_t kind,
                   const nh_metric_label_t *labels, size_t nlabels, double delta);

/* Observes v in a histogram with the default buckets (5 ms .. 60 s, seconds). */
int nh_metrics_observe(nh_metrics_t *m, const char *name, const char *help,
                       const nh_metric_label_t *labels, size_t nlabels, double v);

/* Removes every series of a family (a gauge whose set of label values changes, such as
 * the interfaces of a fleet). Unknown names are fine. */
void nh_metrics_clear(nh_metrics_t *m, const char *name);

/* Renders every family as Prometheus text into a new buffer (*out, *len; the caller frees
 * *out). Returns 0 or NH_ENOMEM. */
int nh_metrics_render(const nh_metrics_t *m, char **out, size_t *len);

/* The engine's own figures: an operation of type kind ended with status after seconds. */
void nh_metrics_op_done(nh_metrics_t *m, const char *kind, int status, double seconds);

/* The engine's own figures: n bytes of SSH transport went in (incoming != 0) or out. */
void nh_metrics_ssh_bytes(nh_metrics_t *m, int incoming, size_t n);

#endif
