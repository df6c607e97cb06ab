/* The configuration model of IOS-style devices (cisco_ios, arista_eos): an ordered tree of
 * lines, where a section header ("interface GigabitEthernet0/1") owns indented child lines.
 * Config commands are applied to it with the semantics real devices have: a new line is
 * added once, single-valued settings ("description", "hostname") replace the old value, and
 * "no X" removes what X set. */
#ifndef SIM_CONF_H
#define SIM_CONF_H

#include <stddef.h>

#include "sbuf.h"

typedef struct conf_node {
  char *line;
  struct conf_node **kids;
  size_t nkids, cap;
} conf_node_t;

conf_node_t *conf_new(const char *line);
void conf_free(conf_node_t *n);
conf_node_t *conf_clone(const conf_node_t *n);
/* Appends a child line and returns it. */
conf_node_t *conf_append(conf_node_t *parent, const char *line);
/* The child whose line is exactly `line`, or NULL. */
conf_node_t *conf_find(const conf_node_t *parent, const char *line);
/* Finds the section `header` under root, or creates it after the last top-level line that
 * starts with the same keyword (so interfaces stay together). */
conf_node_t *conf_section(conf_node_t *root, const char *header, int create);
/* Applies a configuration line under parent. `single` lists the keyword prefixes that take
 * one value (the new line replaces a line with the same prefix). */
void conf_set(conf_node_t *parent, const char *line, const char *const *single);
/* Removes every child line that starts with the words of `what` (the "no" form). Returns the
 * number of lines removed. */
int conf_unset(conf_node_t *parent, const char *what);
/* Removes a top-level section or line equal to `line` (no interface X). */
int conf_remove(conf_node_t *parent, const char *line);
/* Renders the tree, children indented by `indent` spaces per level. */
void conf_render(const conf_node_t *root, sbuf_t *out, int indent);
/* Renders one section (header and children). */
void conf_render_node(const conf_node_t *n, sbuf_t *out, int indent, int depth);
/* Parses text rendered by conf_render (any indentation width; "!" lines kept). */
conf_node_t *conf_parse(const char *text);
/* Counts lines (for "Current configuration : N bytes"-style headers). */
size_t conf_count(const conf_node_t *n);

/* True when `line` starts with the words of `prefix` (word boundary respected). */
int words_prefix(const char *line, const char *prefix);

#endif
