/* nethost core: an intrusive doubly-linked list, circular around a head that is its own
 * sentinel (the shape of libuv's queue.h): embed an nh_list_t in each element, find the
 * element again with nh_container_of. Linking and unlinking are O(1) and allocate nothing,
 * so an element can leave the list from its own close callback. */
#ifndef NH_LIST_H
#define NH_LIST_H

#include "container.h"

typedef struct nh_list_s {
  struct nh_list_s *next, *prev; /* both NULL while an element is in no list */
} nh_list_t;

/* Makes head an empty list. */
static inline void nh_list_init(nh_list_t *head) {
  head->next = head->prev = head;
}

static inline int nh_list_empty(const nh_list_t *head) {
  return head->next == head;
}

/* Whether the element node is in a list (it was appended and not removed since). */
static inline int nh_list_linked(const nh_list_t *node) {
  return node->next != NULL;
}

/* Appends node at the end of the list head. */
static inline void nh_list_append(nh_list_t *head, nh_list_t *node) {
  node->next = head;
  node->prev = head->prev;
  head->prev->next = node;
  head->prev = node;
}

/* Takes node out of its list; its links become NULL. */
static inline void nh_list_remove(nh_list_t *node) {
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->next = node->prev = NULL;
}

#endif
