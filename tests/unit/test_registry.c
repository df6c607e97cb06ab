/* Unit tests for core/registry without plugin files (owner NULL, as built-ins register):
 * platforms by name and alias, refused descriptors (bad names, broken patterns,
 * duplicates, which are logged), parsers found by the CLI's abbreviation rules, ambiguity,
 * parser sources as the fallback, a parser's error and result through nh_registry_parse,
 * and removal. */
#include "test_main.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "platform_file.h"
#include "plugin_loader.h"
#include "registry.h"

/* The last message logged (registrations that fail say why). */
static char last_log[512];
static void capture_log(void *arg, int level, const char *who, const char *msg) {
  (void)arg;
  (void)level;
  (void)who;
  snprintf(last_log, sizeof last_log, "%s", msg);
}

static int setup(void **state) {
  (void)state;
  nh_plugin_set_log(capture_log, NULL);
  last_log[0] = '\0';
  return 0;
}

static int teardown(void **state) {
  (void)state;
  nh__registry_clear();
  nh_plugin_set_log(NULL, NULL);
  return 0;
}

/* Registrations as the loader makes them: with its host table (parsers are called with it),
 * for no plugin ("(built in)") or for a fake one. */
static nh_registrant_t as_builtin(void) {
  nh_registrant_t by = {.plugin = NULL, .who = "(built in)", .host = nh__plugin_host()};
  return by;
}

static int add_platform(const char *name, const char *const *aliases, const char *prompt) {
  nh_plugin_platform_t d = {.size = sizeof d, .name = name, .aliases = aliases};
  d.prompt_pattern = prompt;
  return nh__registry_add_platform(NULL, &d);
}

static void test_platforms(void **state) {
  (void)state;
  static const char *const aliases[] = {"ios", "cisco.ios.ios", NULL};
  assert_int_equal(add_platform("cisco_ios", aliases, "[>#]\\s*$"), 0);
  assert_string_equal(nh_registry_platform("IOS")->name, "cisco_ios");
  assert_string_equal(nh_registry_platform_name("cisco.ios.ios"), "cisco_ios");
  assert_null(nh_registry_platform("junos"));
  assert_null(nh_registry_platform_name("junos"));
  const nh_platform_t *p = nh_registry_platform("cisco_ios");
  assert_non_null(p->on_open); /* absent lists are empty, never NULL */
  assert_null(p->on_open[0]);
  assert_null(p->save_command);
  /* Refused: a duplicate name or alias (logged with the owner), a bad name, a broken
   * pattern (logged naming the field), a descriptor too small to hold a name. */
  static const char *const taken[] = {"ios", NULL};
  assert_int_equal(add_platform("cisco_ios", NULL, NULL), NH_EDUPLICATE);
  assert_non_null(strstr(last_log, "already defined"));
  assert_int_equal(add_platform("other", taken, NULL), NH_EDUPLICATE);
  assert_non_null(strstr(last_log, "alias 'ios'"));
  assert_int_equal(add_platform("Bad Name", NULL, NULL), NH_EINVAL);
  assert_int_equal(add_platform("broken", NULL, "(unclosed"), NH_EINVAL);
  assert_non_null(strstr(last_log, "prompt_pattern"));
  assert_null(nh_registry_platform("broken"));
  nh_plugin_platform_t tiny = {.size = 4, .name = "tiny"};
  assert_int_equal(nh__registry_add_platform(NULL, &tiny), NH_EINVAL);
}

static int free_42(const char *text, size_t len, const char *path, uint64_t *free_bytes) {
  (void)path;
  if (len < 2 || strncmp(text, "ok", 2) != 0) return NH_PLUGIN_EPARSE;
  *free_bytes = 42;
  return NH_PLUGIN_OK;
}

/* A descriptor with ABI 1.2's file-system fields: disk0:, a free-space parser that
 * answers 42 for "ok", MD5 checksums read by the host. */
static nh_plugin_platform_t file_platform(const char *name) {
  nh_plugin_platform_t d = {.size = sizeof d,
                            .name = name,
                            .file_default_dir = "disk0:",
                            .file_free_command = "dir %s",
                            .file_free_parse = free_42,
                            .file_checksum_command = "verify /md5 %s",
                            .file_checksum_algorithm = "md5"};
  return d;
}

/* Registers d, which must be accepted, and returns the host's platform. */
static const nh_platform_t *registered(const nh_plugin_platform_t *d) {
  assert_int_equal(nh__registry_add_platform(NULL, d), 0);
  return nh_registry_platform(d->name);
}

/* A plugin digest parser that breaks the contract by text: "unterminated" fills hex with no
 * NUL, "short" writes too few digits, "nothex" the right length of non-hex, else upper case. */
static int bad_digest(const char *text, size_t len, char *hex, size_t hexsz) {
  (void)len;
  if (!strcmp(text, "unterminated")) {
    memset(hex, 'a', hexsz);
  } else if (!strcmp(text, "short")) {
    strcpy(hex, "abc");
  } else if (!strcmp(text, "nothex")) {
    memset(hex, 'z', 32);
    hex[32] = '\0';
  } else {
    memset(hex, 'A', 32);
    hex[32] = '\0';
  }
  return NH_PLUGIN_OK;
}

/* The host checks what a plugin's digest parser wrote before anyone reads it as a string. */
static void test_checksum_parser_contract(void **state) {
  (void)state;
  nh_plugin_platform_t d = file_platform("digplat");
  d.file_checksum_parse = bad_digest;
  const nh_platform_t *p = registered(&d);
  char hex[129];
  assert_int_equal(nh_platform_checksum(p, "unterminated", 12, hex, sizeof hex), NH_EPARSE);
  assert_int_equal(hex[0], '\0');
  assert_int_equal(nh_platform_checksum(p, "short", 5, hex, sizeof hex), NH_EPARSE);
  assert_int_equal(nh_platform_checksum(p, "nothex", 6, hex, sizeof hex), NH_EPARSE);
  assert_int_equal(nh_platform_checksum(p, "upper", 5, hex, sizeof hex), 0);
  assert_string_equal(hex, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
}

/* ABI 1.2's file-system fields: copied and used; a 1.1 plugin's shorter descriptor loads
 * without them (the bytes after its size are never read); half-given pairs are refused. */
static void test_file_fields(void **state) {
  (void)state;
  nh_plugin_platform_t d = file_platform("fsplat");
  const nh_platform_t *p = registered(&d);
  char hex[129], folder[64];
  uint64_t bytes = 0;
  assert_string_equal(p->file_default_dir, "disk0:");
  assert_int_equal(nh_platform_free_space(p, "ok", 2, "disk0:x", &bytes), 0);
  assert_int_equal(bytes, 42);
  assert_int_equal(nh_platform_free_space(p, "no", 2, "disk0:x", &bytes), NH_EPARSE);
  const char *out = "verify /md5 (disk0:x) = 0123456789ABCDEF0123456789abcdef\n";
  assert_int_equal(nh_platform_checksum(p, out, strlen(out), hex, sizeof hex), 0);
  assert_string_equal(hex, "0123456789abcdef0123456789abcdef");
  assert_int_equal(nh_platform_checksum(p, "%Error", 6, hex, sizeof hex), NH_EPARSE);
  nh_platform_file_folder("disk0:img/x.bin", folder, sizeof folder);
  assert_string_equal(folder, "disk0:img/");
  nh_platform_file_folder("flash:x.bin", folder, sizeof folder);
  assert_string_equal(folder, "flash:");
  nh_platform_file_folder("x.bin", folder, sizeof folder);
  assert_string_equal(folder, "");

  /* A 1.1 descriptor: what follows volatile_patterns is garbage the host must not read. */
  nh_plugin_platform_t old;
  memset(&old, 0xa5, sizeof old);
  old.size = offsetof(nh_plugin_platform_t, file_default_dir);
  memset(&old, 0, old.size);
  old.size = offsetof(nh_plugin_platform_t, file_default_dir);
  old.name = "old11";
  p = registered(&old);
  assert_null(p->file_default_dir);
  assert_null(p->file_free_parse);
  assert_int_equal(nh_platform_free_space(p, "ok", 2, "x", &bytes), NH_ENOPLATFORM);
  assert_int_equal(nh_platform_checksum(p, "x", 1, hex, sizeof hex), NH_ENOPLATFORM);

  /* Refused, with the reason logged. */
  nh_plugin_platform_t bad = {.size = sizeof bad, .name = "bad1", .file_free_command = "df"};
  assert_int_equal(nh__registry_add_platform(NULL, &bad), NH_EINVAL);
  assert_non_null(strstr(last_log, "file_free_parse"));
  nh_plugin_platform_t bad2 = {.size = sizeof bad2,
                               .name = "bad2",
                               .file_checksum_command = "sum %s",
                               .file_checksum_algorithm = "crc32"};
  assert_int_equal(nh__registry_add_platform(NULL, &bad2), NH_EINVAL);
  assert_non_null(strstr(last_log, "md5, sha1, sha256 or sha512"));
  assert_null(nh_registry_platform("bad2"));
}

/* A parser that returns {"which" = ud} or fails on input "bad". */
static int which_parser(const nh_plugin_host_t *host, nh_plugin_parse_t *p, const char *text,
                        size_t len, nh_plugin_value_t **out, void *ud) {
  if (len == 3 && memcmp(text, "bad", 3) == 0) return host->parse_error(p, 7, "no %s here", "x");
  nh_plugin_value_t *m = host->value_map();
  int rc = host->map_set(m, "which", host->value_string(ud, strlen(ud)));
  if (rc < 0) {
    host->value_free(m);
    return rc;
  }
  *out = m;
  return 0;
}

static void assert_parses_to(const char *platform, const char *command, const char *which) {
  nh_value_t *v = NULL;
  char *msg = NULL;
  int rc = nh_registry_parse(platform, command, "ok", 2, &v, &msg);
  if (rc != 0) fail_msg("%s '%s': %s (%s)", platform, command, nh_err_name(rc), msg);
  assert_string_equal(nh_value_map_get(v, "which")->u.str.ptr, which);
  nh_value_free(v);
}

static void test_parsers_and_abbreviations(void **state) {
  (void)state;
  const nh_registrant_t builtin = as_builtin();
  static const char *const aliases[] = {"ios", NULL};
  assert_int_equal(add_platform("cisco_ios", aliases, NULL), 0);
  assert_int_equal(nh__registry_add_parser(&builtin, "ios", "show version", which_parser, "ver"),
                   0);
  assert_int_equal(
      nh__registry_add_parser(&builtin, "cisco_ios", "show interfaces", which_parser, "ifs"), 0);
  assert_int_equal(
      nh__registry_add_parser(&builtin, "cisco_ios", "show interfaces *", which_parser, "if1"), 0);
  assert_int_equal(
      nh__registry_add_parser(&builtin, "cisco_ios", "show inventory", which_parser, "inv"), 0);
  assert_int_equal(
      nh__registry_add_parser(&builtin, "cisco_ios", "SHOW  version", which_parser, "x"),
      NH_EDUPLICATE); /* the same command after normalising */
  assert_int_equal(nh__registry_add_parser(&builtin, "cisco_ios", "  ", which_parser, "x"),
                   NH_EINVAL);
  assert_parses_to("cisco_ios", "sh ver", "ver");
  assert_parses_to("ios", "show version", "ver"); /* registered through an alias */
  assert_parses_to("cisco_ios", "sh interfaces", "ifs");
  assert_parses_to("cisco_ios", "sh int Gi1/0/1", "if1"); /* the trailing "*" takes more words */
  assert_parses_to("cisco_ios", "show inv", "inv");
  /* "sh in" abbreviates both "show interfaces" and "show inventory". */
  nh_parser_match_t m;
  char *msg = NULL;
  assert_int_equal(nh_registry_find_parser("cisco_ios", "sh in", &m, &msg), NH_EINVAL);
  assert_non_null(msg);
  free(msg);
  msg = NULL;
  assert_int_equal(nh_registry_find_parser("cisco_ios", "show clock", &m, &msg), NH_ENOPARSER);
  free(msg);
  assert_true(nh_registry_command_match("show version", "show version") >
              nh_registry_command_match("show version", "sh ver"));
  assert_int_equal(nh_registry_command_match("show version", "show"), -1);
  assert_int_equal(nh_registry_command_match("show version", "show vlan"), -1);
}

static void test_parser_error(void **state) {
  (void)state;
  const nh_registrant_t builtin = as_builtin();
  assert_int_equal(add_platform("cisco_ios", NULL, NULL), 0);
  assert_int_equal(
      nh__registry_add_parser(&builtin, "cisco_ios", "show version", which_parser, "v"), 0);
  nh_value_t *v = NULL;
  char *msg = NULL;
  assert_int_equal(nh_registry_parse("cisco_ios", "show version", "bad", 3, &v, &msg), NH_EPARSE);
  assert_null(v);
  assert_string_equal(msg, "line 7: no x here");
  free(msg);
}

/* A source that knows "show clock" for any platform. */
static int source_calls;
static int clock_resolve(void *ud, const char *platform, const char *command, char *what,
                         size_t what_len) {
  (void)ud;
  (void)platform;
  if (nh_registry_command_match("show clock", command) < 0) return 0;
  snprintf(what, what_len, "clock.template");
  return 1;
}
static int clock_parse(void *ud, const nh_plugin_host_t *host, nh_plugin_parse_t *p,
                       const char *platform, const char *command, const char *text, size_t len,
                       nh_plugin_value_t **out) {
  (void)platform;
  (void)command;
  source_calls++;
  return which_parser(host, p, text, len, out, ud);
}

static void test_sources_and_removal(void **state) {
  (void)state;
  static nh_plugin_t plugin = {.file = "fake.so", .name = "fake"}; /* messages name it */
  const nh_plugin_t *owner = &plugin;
  const nh_registrant_t builtin = as_builtin();
  const nh_registrant_t faked = {.plugin = owner, .who = plugin.file, .host = nh__plugin_host()};
  assert_int_equal(add_platform("cisco_ios", NULL, NULL), 0);
  nh_plugin_parser_source_t src = {.size = sizeof src,
                                   .name = "clocks",
                                   .ud = "src",
                                   .resolve = clock_resolve,
                                   .parse = clock_parse};
  assert_int_equal(nh__registry_add_source(&faked, &src), 0);
  assert_int_equal(nh__registry_add_source(&builtin, &src), NH_EDUPLICATE);
  src.parse = NULL;
  src.name = "incomplete";
  assert_int_equal(nh__registry_add_source(&builtin, &src), NH_EINVAL);
  nh_parser_match_t m;
  assert_int_equal(nh_registry_find_parser("cisco_ios", "sh clock", &m, NULL), 0);
  assert_string_equal(m.source, "clocks");
  assert_string_equal(m.detail, "clock.template");
  source_calls = 0;
  assert_parses_to("cisco_ios", "sh clock", "src");
  assert_int_equal(source_calls, 1);
  /* A registered parser wins over the source. */
  assert_int_equal(nh__registry_add_parser(&faked, "cisco_ios", "show clock", which_parser, "nat"),
                   0);
  assert_parses_to("cisco_ios", "sh clock", "nat");
  assert_int_equal(source_calls, 1);
  /* Removing the owner takes its parser and its source, not the platform of another. */
  nh__registry_remove_owner(owner);
  assert_int_equal(nh_registry_find_parser("cisco_ios", "sh clock", &m, NULL), NH_ENOPARSER);
  assert_non_null(nh_registry_platform("cisco_ios"));
}

NH_TEST_MAIN(NULL, NULL, NH_TEST(test_platforms), NH_TEST(test_file_fields),
             NH_TEST(test_checksum_parser_contract), NH_TEST(test_parsers_and_abbreviations),
             NH_TEST(test_parser_error), NH_TEST(test_sources_and_removal))
