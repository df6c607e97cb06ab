/* nethost core: an intrusive first-in first-out queue — things waiting their turn (device
 * connections waiting for room on a jump host, connections waiting for a connect-rate
 * token). The waiting struct embeds an nh_fifo_link_t and finds itself again with
 * nh_container_of, so queueing allocates nothing and cannot fail. */
#ifndef NH_FIFO_H
#define NH_FIFO_H

#include <stddef.h>

typedef struct nh_fifo_link_s {
  struct nh_fifo_link_s *next;
} nh_fifo_link_t;

typedef struct {
  nh_fifo_link_t *head, *tail; /* both NULL when empty */
} nh_fifo_t;

static inline void nh_fifo_push(nh_fifo_t *q, nh_fifo_link_t *link) {
  link->next = NULL;
  if (q->tail)
    q->tail->next = link;
  else
    q->head = link;
  q->tail = link;
}

/* Takes the oldest link off q (NULL when q is empty). */
static inline nh_fifo_link_t *nh_fifo_pop(nh_fifo_t *q) {
  nh_fifo_link_t *link = q->head;
  if (!link) return NULL;
  q->head = link->next;
  if (!q->head) q->tail = NULL;
  link->next = NULL;
  return link;
}

/* Takes link out of q wherever it stands. Returns 1 if it was there. */
static inline int nh_fifo_remove(nh_fifo_t *q, nh_fifo_link_t *link) {
  nh_fifo_link_t **pp, *prev = NULL;
  for (pp = &q->head; *pp && *pp != link; pp = &(*pp)->next) prev = *pp;
  if (!*pp) return 0;
  *pp = link->next;
  if (q->tail == link) q->tail = prev;
  link->next = NULL;
  return 1;
}

#endif
