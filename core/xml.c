/* nethost core: safe libxml2 parsing (see xml.h). libxml2 (Debian libxml2) rather than a
 * hand-written parser: XML's corners (encodings, CDATA, character references, namespaces)
 * are where hand-written parsers break, and libxml2 is fuzzed and maintained upstream. */
#include "xml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <string.h>

/* libxml2 prints errors to stderr by default; nethost reports them itself. */
static void quiet(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr e) {
  (void)ctx;
  (void)e;
}

xmlDocPtr nh_xml_parse(const char *text, size_t len, char *err, size_t errlen) {
  static int initialised;
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  if (!initialised) {
    initialised = 1;
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlSetStructuredErrorFunc(NULL, quiet_structured);
  }
  if (err && errlen) err[0] = 0;
  if (len > (size_t)1 << 30) {
    if (err) snprintf(err, errlen, "document too large (%zu bytes)", len);
    return NULL;
  }
  if (!(ctxt = xmlNewParserCtxt())) {
    if (err) snprintf(err, errlen, "out of memory");
    return NULL;
  }
  doc = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, NULL, options);
  if (!doc || !ctxt->wellFormed) {
    xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
    if (err) {
      if (e && e->message) {
        size_t n;
        snprintf(err, errlen, "line %d: %s", e->line, e->message);
        n = strlen(err);
        while (n && (err[n - 1] == '\n' || err[n - 1] == ' ')) err[--n] = 0;
      } else {
        snprintf(err, errlen, "not well-formed XML");
      }
    }
    if (doc) xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return NULL;
  }
  xmlFreeParserCtxt(ctxt);
  if (doc->intSubset || doc->extSubset) {
    if (err) snprintf(err, errlen, "document type declarations (DTDs) are not accepted");
    xmlFreeDoc(doc);
    return NULL;
  }
  if (!xmlDocGetRootElement(doc)) {
    if (err) snprintf(err, errlen, "no root element");
    xmlFreeDoc(doc);
    return NULL;
  }
  return doc;
}

xmlNodePtr nh_xml_first_element(xmlNodePtr node) {
  xmlNodePtr c;
  for (c = node ? node->children : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return c;
  return NULL;
}

xmlNodePtr nh_xml_next_element(xmlNodePtr node) {
  xmlNodePtr c;
  for (c = node ? node->next : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return c;
  return NULL;
}

xmlNodePtr nh_xml_child(xmlNodePtr node, const char *local) {
  xmlNodePtr c;
  for (c = nh_xml_first_element(node); c; c = nh_xml_next_element(c))
    if (!strcmp((const char *)c->name, local)) return c;
  return NULL;
}
