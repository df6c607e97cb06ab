/* Text scanning for parser plugins: lines, PCRE2 line patterns, a builder wrapper that
 * remembers running out of memory, and the configuration-section parser the vendor
 * plugins share. A static library linked into each plugin (its symbols stay hidden).
 *
 * Parsers built on it run in time linear in the input: patterns are matched line by line
 * with a match limit, and every pattern is anchored by its author. */
#ifndef NH_TEXTSCAN_H
#define NH_TEXTSCAN_H

#include <nethost/plugin.h>

#include <stddef.h>
#include <stdint.h>

/* ---- lines ---- */

typedef struct {
  const char *p; /* not NUL-terminated */
  size_t len;    /* without the terminator */
  int no;        /* 1-based */
} ts_line_t;

typedef struct {
  const char *cur, *end;
  int no;
} ts_lines_t;

void ts_lines_init(ts_lines_t *it, const char *text, size_t len);
/* Next line ("\r\n", "\n" and a lone "\r" end a line); 0 at the end. */
int ts_next_line(ts_lines_t *it, ts_line_t *line);
/* Whether the line is empty or only blanks. */
int ts_blank(const ts_line_t *line);
/* Leading blanks. */
size_t ts_indent(const ts_line_t *line);

/* ---- patterns ---- */

typedef struct ts_re_s ts_re_t;
typedef struct {
  const char *p;
  size_t len; /* 0 with p NULL: the group did not take part */
} ts_cap_t;

#define TS_MAX_CAPS 16

/* Compiles a PCRE2 pattern (UTF, invalid UTF allowed in subjects, JIT when available).
 * NULL on failure (a bug in the plugin: log it and fail the init). */
ts_re_t *ts_re(const char *pattern);
void ts_re_free(ts_re_t *re);

/* A plugin's patterns, compiled at init and freed at unload. */
typedef struct ts_patterns {
  const char *const *source;
  ts_re_t **re; /* n slots */
  size_t n;
} ts_patterns_t;

/* Declares a file's line patterns from one list, so a pattern's name and its text are
 * written once, side by side. list is an X-macro: list(X) calls X(NAME, "pattern") once per
 * pattern. TS_PATTERNS(list) defines, all static to the file: the enum of the names and
 * RE_COUNT after them, `re` (the compiled patterns, re[NAME], filled when `patterns` is
 * loaded) and `patterns` (what ts_patterns_load and ts_plugin_start take). */
#define TS_PATTERN_NAME_(name, text) name,
#define TS_PATTERN_TEXT_(name, text) [name] = text,
#define TS_PATTERNS(list)                                                      \
  enum { list(TS_PATTERN_NAME_) RE_COUNT };                                    \
  static const char *const pattern_texts[RE_COUNT] = {list(TS_PATTERN_TEXT_)}; \
  static ts_re_t *re[RE_COUNT];                                                \
  static ts_patterns_t patterns = {pattern_texts, re, RE_COUNT}

/* Compiles every pattern of p and frees them when the plugin unloads. A bad pattern is
 * logged and fails the init (NH_PLUGIN_EINVAL) with nothing left allocated. */
int ts_patterns_load(const nh_plugin_host_t *host, nh_plugin_t *self, ts_patterns_t *p);

/* A plugin's parsers: (command pattern, function) pairs registered for one platform. */
typedef struct ts_parser {
  const char *command;
  nh_plugin_parse_fn fn;
} ts_parser_t;

int ts_register_parsers(const nh_plugin_host_t *host, nh_plugin_t *self, const char *platform,
                        const ts_parser_t *parsers, size_t n);

typedef struct ts_facts ts_facts_t;

/* What a vendor plugin's entry does after NH_PLUGIN_DECLARE: compiles its patterns (none
 * when patterns is NULL), registers its platform, its facts parser (none when facts is
 * NULL), then its n parsers for that platform. Returns 0 or the first failure's code (the
 * loader then rolls the plugin back whole). */
int ts_plugin_start(const nh_plugin_host_t *host, nh_plugin_t *self, ts_patterns_t *patterns,
                    const nh_plugin_platform_t *platform, const ts_facts_t *facts,
                    const ts_parser_t *parsers, size_t n);

/* Defines a vendor plugin's entry point, nh_plugin_entry, the one symbol its .so exports: it
 * declares the plugin (name, version) and returns start(host, self, patterns, platform,
 * facts, parsers, n), n counted from the parsers array. start is ts_plugin_start or a
 * family's wrapper of it (ioslike_start). Written once here as GStreamer's
 * GST_PLUGIN_DEFINE is, so each vendor file holds only what it knows. */
#define TS_PLUGIN_ENTRY(name, version, start, patterns, platform, facts, parsers)         \
  NH_PLUGIN_EXPORT int nh_plugin_entry(const nh_plugin_host_t *host, nh_plugin_t *self) { \
    NH_PLUGIN_DECLARE(host, self, name, version);                                         \
    return start(host, self, patterns, platform, facts, parsers, TS_COUNT(parsers));      \
  }

/* Matches re against s[0..len); fills caps[0..ncaps) with groups 1..ncaps (later groups may
 * take part too; they are not reported). Returns 1 on a match, 0 otherwise (also when the
 * match limit is hit). */
int ts_match(const ts_re_t *re, const char *s, size_t len, ts_cap_t *caps, int ncaps);
int ts_match_line(const ts_re_t *re, const ts_line_t *line, ts_cap_t *caps, int ncaps);

/* The capture with surrounding blanks removed. */
ts_cap_t ts_trim(ts_cap_t c);
/* The part [from, to) of line, clamped to it and trimmed: one column of a table row whose
 * columns ts_column found in the header. */
ts_cap_t ts_slice(const ts_line_t *line, size_t from, size_t to);
/* The offset of word in line (a table header), or (size_t)-1 when it is not there. */
size_t ts_column(const ts_line_t *line, const char *word);
/* Whether c equals the C string s. */
int ts_cap_eq(ts_cap_t c, const char *s);
/* Decimal integer in c (commas allowed); 0 when it is not one. */
int ts_cap_int(ts_cap_t c, int64_t *out);

/* ---- building values ---- */

typedef struct {
  const nh_plugin_host_t *h;
  nh_plugin_parse_t *p;
  int oom; /* set by any builder call that ran out of memory */
} ts_b_t;

nh_plugin_value_t *ts_map(ts_b_t *b);
nh_plugin_value_t *ts_list(ts_b_t *b);
/* map[key] = the capture as a string (trimmed); skipped when the capture is absent. */
void ts_set_cap(ts_b_t *b, nh_plugin_value_t *map, const char *key, ts_cap_t c);
/* map[key] = the capture as a string even when empty ("" for an absent group). */
void ts_set_cap0(ts_b_t *b, nh_plugin_value_t *map, const char *key, ts_cap_t c);
void ts_set_str(ts_b_t *b, nh_plugin_value_t *map, const char *key, const char *s, size_t len);
void ts_set_int(ts_b_t *b, nh_plugin_value_t *map, const char *key, int64_t i);
/* map[key] = integer of the capture, skipped when it is not a number. */
void ts_set_cap_int(ts_b_t *b, nh_plugin_value_t *map, const char *key, ts_cap_t c);
void ts_set(ts_b_t *b, nh_plugin_value_t *map, const char *key, nh_plugin_value_t *v);

/* How a capture is stored: a trimmed string skipped when the group did not take part
 * (ts_set_cap), a string even when empty (ts_set_cap0), or an integer (ts_set_cap_int). */
typedef enum { TS_STR = 0, TS_STR0, TS_INT } ts_kind_t;

/* One entry of a map read from a pattern's captures: map[key] = capture cap (0-based). */
typedef struct ts_field {
  const char *key;
  int cap;
  ts_kind_t kind;
} ts_field_t;

/* Stores the n fields' captures of c in map, in order: how a table row or a line of facts
 * becomes a map without a ts_set_cap call per column. */
void ts_set_fields(ts_b_t *b, nh_plugin_value_t *map, const ts_cap_t *c, const ts_field_t *fields,
                   size_t n);

/* The number of elements of an array. */
#define TS_COUNT(a) (sizeof(a) / sizeof *(a))

/* ---- the normalized interface model (iface.c) ---- */

/* admin_state, oper_state, protocol_state from the vendor's words: admin (a field of its
 * own, may be absent), oper (the link state, where IOS also says "administratively
 * down"), proto (the line protocol, may be absent). */
void ts_iface_states(ts_b_t *b, nh_plugin_value_t *map, ts_cap_t admin, ts_cap_t oper,
                     ts_cap_t proto);
/* speed_mbps from "1000Mb/s", "10Gb/s", "a-1000", "1000mbps"; nothing for "Auto-speed". */
void ts_iface_speed(ts_b_t *b, nh_plugin_value_t *map, ts_cap_t c);
/* duplex_mode "full" | "half" | "auto" from "Full-duplex", "a-full", "Auto-duplex". */
void ts_iface_duplex(ts_b_t *b, nh_plugin_value_t *map, ts_cap_t c);
void ts_push(ts_b_t *b, nh_plugin_value_t *list, nh_plugin_value_t *v);
/* A new map appended to list: a table's next row. */
nh_plugin_value_t *ts_push_map(ts_b_t *b, nh_plugin_value_t *list);
void ts_push_cap(ts_b_t *b, nh_plugin_value_t *list, ts_cap_t c);
/* Appends the items of c, separated by commas and spaces, to list as strings; when mark is
 * not 0, an item's final mark is dropped (Junos flags a VLAN's active interfaces with '*'). */
void ts_push_items(ts_b_t *b, nh_plugin_value_t *list, ts_cap_t c, char mark);
/* Returns 0 and hands root over, or frees root and returns NH_PLUGIN_ENOMEM when any
 * builder call failed. */
int ts_finish(ts_b_t *b, nh_plugin_value_t *root, nh_plugin_value_t **out);
/* Frees root, records the reason, returns NH_PLUGIN_EPARSE. */
int ts_fail(ts_b_t *b, nh_plugin_value_t *root, int line, const char *fmt, ...)
    NH_PLUGIN_PRINTF(4, 5);

/* Rejects binary input (NUL bytes, or more than 1% control characters other than
 * tab/CR/LF/ESC/backspace). Returns 0 or fails the parse as ts_fail does. */
int ts_check_text(ts_b_t *b, const char *text, size_t len);

/* Whether the text is only white space: a legitimately empty answer (no interfaces, no
 * VLANs), which parsers of tables return as an empty list. */
int ts_only_blank(const char *text, size_t len);

/* ---- one run of a parser ---- */

/* What every parser of line-oriented output holds while it runs: the value builder, the
 * lines, the current line and the result it builds (root, set by the parser). */
typedef struct ts_scan {
  ts_b_t b;
  ts_lines_t it;
  ts_line_t l;
  nh_plugin_value_t *root;
} ts_scan_t;

/* Starts a parser over text (len bytes): checks it (ts_check_text) and starts the lines.
 * Returns 0, or the text's error for the parser to return. */
int ts_scan_begin(ts_scan_t *s, const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                  size_t len);
/* The next line into s->l; 0 at the end, or once the builder ran out of memory (ts_finish
 * reports it). */
int ts_scan_next(ts_scan_t *s);
/* Starts a parser whose result is a list, s->root (a table: interfaces, VLANs, ...): as
 * ts_scan_begin, and blank output is an empty list at once (no interfaces is not an error).
 * Returns 1 when there are lines to read, or 0 when the parse is over, with its result in
 * *rc (the text's error, or 0 and the empty list in *out). */
int ts_scan_list(ts_scan_t *s, const nh_plugin_host_t *h, nh_plugin_parse_t *p, const char *text,
                 size_t len, nh_plugin_value_t **out, int *rc);

/* ---- facts: one map from "Key: value" lines (facts.c) ---- */

/* One kind of line of a facts output ("show version"): when the line matches pattern re,
 * the captures named in set (one or two; a NULL key ends the list) are stored under their keys.
 * rank 0: every matching line stores them, so the last one wins. rank r > 0: a line stores
 * them only while the first key holds nothing of rank r or more, so the first such line
 * wins and a line of higher rank overrides it (IOS-XE prints its own release before the
 * IOS one that should win). Facts are tried in order; a line is taken by the first fact
 * that may store and matches. */
typedef struct ts_fact {
  int re;
  int rank;
  ts_field_t set[2];
} ts_fact_t;

/* A facts parser: the command it parses, its patterns, its facts (at most TS_MAX_FACTS),
 * and the key without which the text is not this command's output, with the parse error to
 * report then. */
#define TS_MAX_FACTS 32
struct ts_facts {
  const char *command;
  const ts_patterns_t *patterns;
  const ts_fact_t *facts;
  size_t n;
  const char *required;
  const char *missing;
};

/* Stores fact's captures in map when line matches its pattern (re[fact->re]); its rank is
 * not consulted. Returns whether it matched. For parsers that read facts of their own, such
 * as the counters under each interface of show interfaces. */
int ts_store_fact(ts_b_t *b, nh_plugin_value_t *map, const ts_line_t *line, ts_re_t *const *re,
                  const ts_fact_t *fact);

/* Registers a parser for (platform, facts->command) that reads every line of the output
 * into one map as facts describes. facts must outlive the plugin (static data). More than
 * TS_MAX_FACTS facts is a bug of the plugin: logged, NH_PLUGIN_EINVAL. */
int ts_register_facts(const nh_plugin_host_t *host, nh_plugin_t *self, const char *platform,
                      const ts_facts_t *facts);

/* ---- configuration sections ---- */

/* Parses a configuration into a list of nodes {line = "...", children = {nodes}}.
 * dialect INDENT: a line's children are the following lines indented deeper; comment lines
 * starting with `comment` (e.g. "!") and the preamble IOS prints are skipped; banners are
 * kept whole. BRACES: `a {` opens, `}` closes, `b;` is a leaf (the ';' dropped); `#` and
 * `/ * * /` comments skipped; unbalanced braces fail. SET: one node per line. */
int ts_config_sections(ts_b_t *b, const char *text, size_t len, nh_plugin_config_dialect_t dialect,
                       const char *comment, nh_plugin_value_t **out);

#endif
