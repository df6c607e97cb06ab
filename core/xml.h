/* nethost core: parsing untrusted XML (NETCONF replies, playbook input) with libxml2.
 *
 * One place sets the parser options, so every caller gets the same safety: no network
 * access (XML_PARSE_NONET), no entity substitution (no XML_PARSE_NOENT), no DTD loading or
 * validation, libxml2's default limits on depth and text size (no XML_PARSE_HUGE), and
 * documents that carry a DTD at all are refused, as RFC 6241 forbids them in NETCONF.
 */
#ifndef NH_XML_H
#define NH_XML_H

#include <libxml/tree.h>
#include <stddef.h>

/* Parses text (len bytes). Returns the document (free it with xmlFreeDoc), or NULL with a
 * one-line reason (the parser's message and line) in err. */
xmlDocPtr nh_xml_parse(const char *text, size_t len, char *err, size_t errlen);

/* The first child element of node (NULL if none); skips text and comments. */
xmlNodePtr nh_xml_first_element(xmlNodePtr node);
/* The next sibling element of node (NULL if none). */
xmlNodePtr nh_xml_next_element(xmlNodePtr node);
/* The first child element of node named local (any namespace), or NULL. */
xmlNodePtr nh_xml_child(xmlNodePtr node, const char *local);

#endif
