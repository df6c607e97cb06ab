/* nethost Lua layer: the xml module — decode XML into plain tables, encode tables as XML,
 * escape text, and parsed documents with XPath for NETCONF replies (lua/nethost/netconf.lua).
 *
 * Parsing goes through core/xml.c (libxml2 with network access, entity substitution and DTDs
 * off). Tables are the shape playbooks already use for JSON: an element holding only text
 * is a string, an element with children is a table keyed by the children's local names,
 * and repeated siblings become a list.
 */
#include "fields.h"
#include "class.h"
#include "runtime.h"
#include "error.h"
#include "xml.h"

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>

#define DOC_MT    "xml.document" /* also its __name: messages name the type as playbooks know it */
#define MAX_DEPTH 200

/* Escaping */

/* The characters text cannot hold as they are and their entities, in the same order: the
 * quotes (the last two) only in attribute values, and CR, which a parser would read as LF. */
static const char special[] = "&<>\r\"'";
static const char *const entity[] = {"&amp;", "&lt;", "&gt;", "&#13;", "&quot;", "&apos;"};

static void add_escaped(luaL_Buffer *b, const char *s, size_t len, int attr) {
  size_t i;
  for (i = 0; i < len; i++) {
    const char *hit = memchr(special, s[i], attr ? 6 : 4);
    if (hit)
      luaL_addstring(b, entity[hit - special]);
    else
      luaL_addchar(b, s[i]);
  }
}

/* xml.escape(s [, attribute]) -> s with &, <, > (and quotes for attributes) escaped */
static int nhl_xml_escape(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int attr = lua_toboolean(L, 2); /* read first: luaL_buffinit may push into slot 2 */
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  add_escaped(&b, s, len, attr);
  luaL_pushresult(&b);
  return 1;
}

/* Decoding to tables */

static int is_blank(const xmlChar *s) {
  for (; s && *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
  return 1;
}

/* Whether name is in the force-list set (a table at index lists, 0 for none). */
static int forced_list(lua_State *L, int lists, const char *name) {
  int yes;
  if (!lists) return 0;
  lua_getfield(L, lists, name);
  yes = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return yes;
}

static void push_element(lua_State *L, xmlNodePtr node, int attrs, int lists, int depth);

#define LIST_MT "nethost.xml.list"

static void new_list(lua_State *L) {
  lua_createtable(L, 2, 0);
  luaL_setmetatable(L, LIST_MT);
}

static int is_list(lua_State *L, int idx) {
  int yes;
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return 0;
  luaL_getmetatable(L, LIST_MT);
  yes = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return yes;
}

/* Pushes the text of node's text children (concatenated). */
static void push_text(lua_State *L, xmlNodePtr node) {
  xmlChar *t = xmlNodeGetContent(node);
  lua_pushstring(L, t ? (const char *)t : "");
  xmlFree(t);
}

static void push_attributes(lua_State *L, xmlNodePtr node) {
  xmlAttrPtr a;
  lua_newtable(L);
  for (a = node->properties; a; a = a->next) {
    xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
    lua_pushstring(L, v ? (const char *)v : "");
    lua_setfield(L, -2, (const char *)a->name);
    xmlFree(v);
  }
}

static void push_element(lua_State *L, xmlNodePtr node, int attrs, int lists, int depth) {
  xmlNodePtr c;
  int has_elements = nh_xml_first_element(node) != NULL;
  int with_attrs = attrs && node->properties;
  luaL_checkstack(L, 8, "xml nesting");
  if (depth > MAX_DEPTH) luaL_error(L, "xml: nesting deeper than %d", MAX_DEPTH);
  if (!has_elements && !with_attrs) {
    push_text(L, node);
    return;
  }
  lua_newtable(L);
  if (with_attrs) {
    push_attributes(L, node);
    lua_setfield(L, -2, "_attr");
  }
  if (!has_elements) {
    push_text(L, node);
    lua_setfield(L, -2, "_text");
    return;
  }
  for (c = node->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (!is_blank(c->content)) {
        /* Mixed content: the text pieces, joined, under _text. */
        lua_getfield(L, -1, "_text");
        lua_pushstring(L, (const char *)c->content);
        if (lua_isstring(L, -2))
          lua_concat(L, 2);
        else
          lua_remove(L, -2);
        lua_setfield(L, -2, "_text");
      }
      continue;
    }
    if (c->type != XML_ELEMENT_NODE) continue;
    {
      const char *name = (const char *)c->name;
      if (lua_getfield(L, -1, name) == LUA_TNIL) {
        lua_pop(L, 1);
        push_element(L, c, attrs, lists, depth + 1);
        if (forced_list(L, lists, name)) {
          new_list(L);
          lua_insert(L, -2);
          lua_rawseti(L, -2, 1);
        }
        lua_setfield(L, -2, name);
        continue;
      }
      /* A second sibling of that name: the value becomes (or already is) a list. Lists are
       * marked, so a first child that happens to be a table is not mistaken for one. */
      if (!is_list(L, -1)) {
        new_list(L);
        lua_insert(L, -2);
        lua_rawseti(L, -2, 1);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, name);
      }
      push_element(L, c, attrs, lists, depth + 1);
      lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
      lua_pop(L, 1);
    }
  }
}

static int lists_option(lua_State *L, int opts) {
  if (!opts || lua_getfield(L, opts, "lists") != LUA_TTABLE) {
    if (opts) lua_pop(L, 1);
    return 0;
  }
  /* {"interface", "unit"} -> a set */
  {
    int src = lua_gettop(L);
    lua_Integer i, n = (lua_Integer)lua_rawlen(L, src);
    lua_newtable(L);
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, src, i);
      lua_pushboolean(L, 1);
      lua_settable(L, -3);
    }
    return lua_gettop(L);
  }
}

static xmlDocPtr parse_or_raise(lua_State *L, const char *text, size_t len, const char *op) {
  char err[300];
  xmlDocPtr doc = nh_xml_parse(text, len, err, sizeof(err));
  if (!doc) nhl_raise(L, "parse", NULL, op, NH_EPARSE, "not well-formed XML: %s", err);
  return doc;
}

/* Pushes the table form of doc's root: {root_name = value}. Frees doc even on errors. */
static int decode_doc(lua_State *L, xmlDocPtr doc, xmlNodePtr node, int opts) {
  int attrs = 0, lists;
  if (opts) {
    lua_getfield(L, opts, "attributes");
    attrs = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  lists = lists_option(L, opts);
  lua_newtable(L);
  push_element(L, node, attrs, lists, 0);
  lua_setfield(L, -2, (const char *)node->name);
  (void)doc;
  return 1;
}

/* Pcall'd body of decode, so the document is freed when a table conversion raises. */
static int decode_body(lua_State *L) {
  xmlDocPtr doc = lua_touserdata(L, 1);
  int opts = lua_istable(L, 2) ? 2 : 0;
  return decode_doc(L, doc, xmlDocGetRootElement(doc), opts);
}

/* xml.decode(text [, {attributes = bool, lists = {names}}]) -> table */
static int nhl_xml_decode(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  xmlDocPtr doc = parse_or_raise(L, text, len, "xml.decode");
  int rc;
  lua_pushcfunction(L, decode_body);
  lua_pushlightuserdata(L, doc);
  if (lua_istable(L, 2))
    lua_pushvalue(L, 2);
  else
    lua_pushnil(L);
  rc = lua_pcall(L, 2, 1, 0);
  xmlFreeDoc(doc);
  if (rc != LUA_OK) return lua_error(L);
  return 1;
}

/* Encoding from tables */

static int valid_name(const char *s, size_t len) {
  size_t i;
  if (len == 0) return 0;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
             c >= 0x80 || (i > 0 && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
    if (!ok) return 0;
  }
  return 1;
}

static void encode_value(lua_State *L, luaL_Buffer *b, const char *name, int depth);

/* The string keys of the table on top, sorted (pushes the list). */
static void sorted_keys(lua_State *L) {
  int t = lua_gettop(L);
  lua_Integer n = 0;
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      lua_pushvalue(L, -1);
      lua_rawseti(L, t + 1, ++n);
    }
  }
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "sort");
  lua_remove(L, -2);
  lua_pushvalue(L, t + 1);
  lua_call(L, 1, 0);
}

static void add_scalar(lua_State *L, luaL_Buffer *b, int idx) {
  size_t len;
  const char *s;
  if (lua_type(L, idx) == LUA_TBOOLEAN) {
    luaL_addstring(b, lua_toboolean(L, idx) ? "true" : "false");
    return;
  }
  s = lua_tolstring(L, idx, &len);
  add_escaped(b, s, len, 0);
}

/* The buffer holds a luaL_Buffer's box on the stack, so values being encoded sit above it:
 * every helper below works on the value at the top and leaves the stack as it found it. */
static void encode_element(lua_State *L, luaL_Buffer *b, const char *name, int depth) {
  int v = lua_gettop(L), t = lua_type(L, v);
  if (depth > MAX_DEPTH) luaL_error(L, "xml.encode: nesting deeper than %d", MAX_DEPTH);
  luaL_checkstack(L, 10, "xml nesting");
  if (!valid_name(name, strlen(name))) luaL_error(L, "xml.encode: '%s' is not an XML name", name);
  if (t == LUA_TBOOLEAN && !lua_toboolean(L, v)) return; /* false: no element */
  luaL_addchar(b, '<');
  luaL_addstring(b, name);
  if (t == LUA_TTABLE) {
    lua_Integer i, nkeys;
    if (lua_getfield(L, v, "_attr") == LUA_TTABLE) {
      sorted_keys(L);
      nkeys = (lua_Integer)lua_rawlen(L, -1);
      for (i = 1; i <= nkeys; i++) {
        const char *an;
        size_t alen;
        lua_rawgeti(L, -1, i);
        an = lua_tostring(L, -1);
        if (!valid_name(an, strlen(an)))
          luaL_error(L, "xml.encode: '%s' is not an attribute name", an);
        lua_gettable(L, -3);
        if (!lua_isstring(L, -1)) luaL_error(L, "xml.encode: attribute '%s' is not a string", an);
        luaL_addchar(b, ' ');
        lua_rawgeti(L, -2, i);
        luaL_addstring(b, lua_tostring(L, -1));
        lua_pop(L, 1);
        luaL_addstring(b, "=\"");
        {
          const char *av = lua_tolstring(L, -1, &alen);
          add_escaped(b, av, alen, 1);
        }
        luaL_addchar(b, '"');
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    luaL_addchar(b, '>');
    if (lua_getfield(L, v, "_text") != LUA_TNIL) add_scalar(L, b, -1);
    lua_pop(L, 1);
    lua_pushvalue(L, v);
    sorted_keys(L);
    nkeys = (lua_Integer)lua_rawlen(L, -1);
    for (i = 1; i <= nkeys; i++) {
      const char *k;
      lua_rawgeti(L, -1, i);
      k = lua_tostring(L, -1);
      if (strcmp(k, "_attr") != 0 && strcmp(k, "_text") != 0) {
        lua_rawget(L, v);
        encode_value(L, b, k, depth + 1);
        lua_pop(L, 1);
      } else {
        lua_pop(L, 1);
      }
      (void)k;
    }
    lua_pop(L, 2);
  } else if (t == LUA_TSTRING || t == LUA_TNUMBER || t == LUA_TBOOLEAN) {
    size_t len = 0;
    if (t == LUA_TSTRING) lua_tolstring(L, v, &len);
    if (t == LUA_TBOOLEAN) { /* true: an empty element, as presence containers want */
      luaL_addstring(b, "/>");
      return;
    }
    if (t == LUA_TSTRING && len == 0) {
      luaL_addstring(b, "/>");
      return;
    }
    luaL_addchar(b, '>');
    add_scalar(L, b, v);
  } else {
    luaL_error(L, "xml.encode: '%s' is a %s (strings, numbers, booleans and tables only)", name,
               luaL_typename(L, v));
  }
  luaL_addstring(b, "</");
  luaL_addstring(b, name);
  luaL_addchar(b, '>');
}

/* A key's value: a list repeats the element; anything else is one element. */
static void encode_value(lua_State *L, luaL_Buffer *b, const char *name, int depth) {
  int v = lua_gettop(L);
  char key[256];
  snprintf(key, sizeof(key), "%s", name); /* the key string may be popped meanwhile */
  if (lua_type(L, v) == LUA_TTABLE && lua_rawlen(L, v) > 0) {
    lua_Integer i, n = (lua_Integer)lua_rawlen(L, v);
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, v, i);
      encode_element(L, b, key, depth);
      lua_pop(L, 1);
    }
    return;
  }
  encode_element(L, b, key, depth);
}

/* xml.encode(t [, {root = name}]) -> text. t = {root = value}, or value with opts.root. */
static int nhl_xml_encode(lua_State *L) {
  luaL_Buffer b;
  const char *root = NULL;
  luaL_checkany(L, 1);
  if (lua_istable(L, 2) && lua_getfield(L, 2, "root") == LUA_TSTRING) root = lua_tostring(L, -1);
  lua_settop(L, 2);
  lua_pushvalue(L, 2); /* keeps root alive */
  luaL_buffinit(L, &b);
  if (root) {
    lua_pushvalue(L, 1);
    encode_value(L, &b, root, 0);
    lua_pop(L, 1);
  } else {
    luaL_argexpected(L, lua_istable(L, 1), 1, "table {root_name = value}");
    lua_pushvalue(L, 1);
    sorted_keys(L);
    {
      lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);
      for (i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        {
          char key[256];
          snprintf(key, sizeof(key), "%s", lua_tostring(L, -1));
          lua_gettable(L, 1);
          encode_value(L, &b, key, 0);
          lua_pop(L, 1);
        }
      }
    }
    lua_pop(L, 2);
  }
  luaL_pushresult(&b);
  return 1;
}

/* Parsed documents with XPath */

typedef struct {
  xmlDocPtr doc;   /* as received */
  xmlDocPtr plain; /* a copy without namespaces, made on first need */
} doc_t;

static doc_t *check_doc(lua_State *L, int idx) {
  doc_t *d = luaL_checkudata(L, idx, DOC_MT);
  if (!d->doc) luaL_error(L, "xml: the document is freed");
  return d;
}

static int nhl_xml_doc_gc(lua_State *L) {
  doc_t *d = luaL_checkudata(L, 1, DOC_MT);
  if (d->doc) xmlFreeDoc(d->doc);
  if (d->plain) xmlFreeDoc(d->plain);
  d->doc = d->plain = NULL;
  return 0;
}

/* xml.parse(text) -> document (raises a "parse" error object) */
static int nhl_xml_parse(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  doc_t *d = lua_newuserdatauv(L, sizeof(*d), 0);
  memset(d, 0, sizeof(*d));
  luaL_setmetatable(L, DOC_MT);
  d->doc = parse_or_raise(L, text, len, "xml.parse");
  return 1;
}

/* Removes every namespace from the tree under node: unprefixed XPath steps then match the
 * elements by their local names, whatever default namespace a device put them in. */
static void strip_ns(xmlNodePtr node) {
  xmlNodePtr c;
  for (c = node; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    {
      xmlAttrPtr a;
      c->ns = NULL;
      for (a = c->properties; a; a = a->next) a->ns = NULL;
    }
    strip_ns(c->children);
  }
}

static xmlDocPtr plain_doc(lua_State *L, doc_t *d) {
  if (!d->plain) {
    if (!(d->plain = xmlCopyDoc(d->doc, 1))) luaL_error(L, "xml: out of memory");
    strip_ns(xmlDocGetRootElement(d->plain));
  }
  return d->plain;
}

/* The serialized XML of node. */
static void push_node_xml(lua_State *L, xmlNodePtr node) {
  xmlBufferPtr buf = xmlBufferCreate();
  if (!buf) luaL_error(L, "xml: out of memory");
  xmlNodeDump(buf, node->doc, node, 0, 0);
  lua_pushlstring(L, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
  xmlBufferFree(buf);
}

/* The serialized XML of node's children (the inside of <data>). */
static void push_inner_xml(lua_State *L, xmlNodePtr node) {
  xmlBufferPtr buf = xmlBufferCreate();
  xmlNodePtr c;
  if (!buf) luaL_error(L, "xml: out of memory");
  for (c = node->children; c; c = c->next) xmlNodeDump(buf, node->doc, c, 0, 0);
  lua_pushlstring(L, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
  xmlBufferFree(buf);
}

static void push_node(lua_State *L, xmlNodePtr n, int with_xml) {
  if (n->type == XML_ATTRIBUTE_NODE || n->type == XML_TEXT_NODE) {
    push_text(L, n);
    return;
  }
  lua_createtable(L, 0, 4);
  nhl_set_string(L, "name", (const char *)n->name);
  if (n->ns && n->ns->href) {
    nhl_set_string(L, "ns", (const char *)n->ns->href);
  }
  push_text(L, n);
  lua_setfield(L, -2, "text");
  if (with_xml) {
    push_node_xml(L, n);
    lua_setfield(L, -2, "xml");
  }
  if (n->type == XML_ELEMENT_NODE) {
    push_attributes(L, n);
    lua_setfield(L, -2, "attrs");
  }
}

/* Evaluates expr on d: with a namespace map (table at nsidx) on the document as received,
 * else on the namespace-free copy. Returns the result (free with xmlXPathFreeObject). */
static xmlXPathObjectPtr eval(lua_State *L, doc_t *d, const char *expr, int nsidx) {
  xmlDocPtr doc = nsidx ? d->doc : plain_doc(L, d);
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathObjectPtr res;
  if (!ctx) luaL_error(L, "xml: out of memory");
  if (nsidx) {
    lua_pushnil(L);
    while (lua_next(L, nsidx)) {
      if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING)
        xmlXPathRegisterNs(ctx, (const xmlChar *)lua_tostring(L, -2),
                           (const xmlChar *)lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  res = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
  xmlXPathFreeContext(ctx);
  if (!res) nhl_raise(L, "parse", NULL, "xml.find", NH_EPARSE, "bad XPath expression: %s", expr);
  return res;
}

/* doc:find(xpath [, namespaces]) -> list of matches: elements as {name=, ns=, text=, xml=,
 * attrs=}, attributes and text nodes as strings; a number, string or boolean result as it is */
static int nhl_xml_doc_find(lua_State *L) {
  doc_t *d = check_doc(L, 1);
  const char *expr = luaL_checkstring(L, 2);
  int nsidx = lua_istable(L, 3) ? 3 : 0, i, n;
  xmlXPathObjectPtr res = eval(L, d, expr, nsidx);
  switch (res->type) {
  case XPATH_NODESET:
    n = res->nodesetval ? res->nodesetval->nodeNr : 0;
    lua_createtable(L, n, 0);
    for (i = 0; i < n; i++) {
      push_node(L, res->nodesetval->nodeTab[i], 1);
      lua_rawseti(L, -2, i + 1);
    }
    break;
  case XPATH_BOOLEAN:
    lua_pushboolean(L, res->boolval);
    break;
  case XPATH_NUMBER:
    lua_pushnumber(L, res->floatval);
    break;
  case XPATH_STRING:
    lua_pushstring(L, (const char *)res->stringval);
    break;
  default:
    lua_pushnil(L);
  }
  xmlXPathFreeObject(res);
  return 1;
}

/* The first element matching expr (on the namespace-free copy unless ns given), or NULL. */
static xmlNodePtr first_match(lua_State *L, doc_t *d, const char *expr, int nsidx) {
  xmlXPathObjectPtr res = eval(L, d, expr, nsidx);
  xmlNodePtr n = NULL;
  if (res->type == XPATH_NODESET && res->nodesetval && res->nodesetval->nodeNr > 0)
    n = res->nodesetval->nodeTab[0];
  xmlXPathFreeObject(res);
  return n;
}

/* doc:inner(xpath) -> the XML inside the first match (from the document as received), or nil */
static int nhl_xml_doc_inner(lua_State *L) {
  doc_t *d = check_doc(L, 1);
  const char *expr = luaL_checkstring(L, 2);
  xmlNodePtr n = first_match(L, d, expr, lua_istable(L, 3) ? 3 : 0);
  if (!n) return 0;
  /* Serialize from the original, so namespaces stay: the copy has the same shape, so
   * the match's child positions from the root lead to the same node there. */
  if (!lua_istable(L, 3)) {
    int idx[MAX_DEPTH + 2], depth = 0;
    xmlNodePtr p, orig;
    for (p = n; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
      int k = 0;
      xmlNodePtr s;
      if (depth > MAX_DEPTH) return 0;
      for (s = p->prev; s; s = s->prev) k++;
      idx[depth++] = k;
    }
    orig = xmlDocGetRootElement(d->doc);
    for (depth -= 2; orig && depth >= 0; depth--) {
      int k;
      orig = orig->children;
      for (k = 0; orig && k < idx[depth]; k++) orig = orig->next;
    }
    if (orig) n = orig;
  }
  push_inner_xml(L, n);
  return 1;
}

/* doc:table([xpath [, opts]]) -> the table form of the first match's children (all of the
 * document without xpath): {child = value, ...} */
static int nhl_xml_doc_table(lua_State *L) {
  doc_t *d = check_doc(L, 1);
  const char *expr = luaL_optstring(L, 2, NULL);
  int opts = lua_istable(L, 3) ? 3 : 0, attrs = 0, lists;
  xmlNodePtr n = expr ? first_match(L, d, expr, 0) : xmlDocGetRootElement(plain_doc(L, d));
  if (!n) return 0;
  if (opts) {
    lua_getfield(L, opts, "attributes");
    attrs = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  lists = lists_option(L, opts);
  if (!nh_xml_first_element(n)) {
    lua_newtable(L);
    return 1;
  }
  push_element(L, n, attrs, lists, 0);
  return 1;
}

/* doc:text(xpath [, namespaces]) -> the text of the first match, or nil */
static int nhl_xml_doc_text(lua_State *L) {
  doc_t *d = check_doc(L, 1);
  const char *expr = luaL_checkstring(L, 2);
  xmlNodePtr n = first_match(L, d, expr, lua_istable(L, 3) ? 3 : 0);
  if (!n) return 0;
  push_text(L, n);
  return 1;
}

/* doc:root() -> name, namespace of the root element */
static int nhl_xml_doc_root(lua_State *L) {
  doc_t *d = check_doc(L, 1);
  xmlNodePtr r = xmlDocGetRootElement(d->doc);
  lua_pushstring(L, (const char *)r->name);
  if (r->ns && r->ns->href)
    lua_pushstring(L, (const char *)r->ns->href);
  else
    lua_pushnil(L);
  return 2;
}

int luaopen_nethost_xml(lua_State *L) {
  static const luaL_Reg funcs[] = {NHL_FUNC(xml, escape),
                                   NHL_FUNC(xml, decode),
                                   NHL_FUNC(xml, encode),
                                   NHL_FUNC(xml, parse),
                                   {NULL, NULL}};
  static const luaL_Reg doc_methods[] = {NHL_FUNC(xml_doc, find),  NHL_FUNC(xml_doc, text),
                                         NHL_FUNC(xml_doc, table), NHL_FUNC(xml_doc, inner),
                                         NHL_FUNC(xml_doc, root),  {NULL, NULL}};
  static const luaL_Reg doc_meta[] = {{"__gc", nhl_xml_doc_gc}, {NULL, NULL}};
  nhl_class(L, LIST_MT, NULL, NULL);
  nhl_class(L, DOC_MT, doc_meta, doc_methods);
  luaL_newlib(L, funcs);
  return 1;
}
