/* The plugin loader and registry, driven with the tiny test plugins in this folder. */
#include "../unit/test_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plugin_loader.h"
#include "registry.h"
#include "value.h"

static char logged[8192];

static void capture_log(void *arg, int level, const char *who, const char *msg) {
  size_t n = strlen(logged);
  snprintf(logged + n, sizeof(logged) - n, "[%d] %s: %s\n", level, who, msg);
}

static int setup(void **state) {
  logged[0] = '\0';
  nh_plugin_set_log(capture_log, NULL);
  return 0;
}

static int teardown(void **state) {
  nh_plugin_unload_all();
  nh__registry_clear();
  return 0;
}

static int load(const char *name, char **msg) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s.so", NH_TP_DIR, name);
  return nh_plugin_load(path, msg);
}

static void test_good_plugin(void **state) {
  const nh_platform_t *p;
  const nh_plugin_t *pl;
  char *msg = NULL;
  assert_int_equal(load("tp_good", &msg), 0);
  assert_null(msg);
  assert_int_equal(nh_plugin_count(), 1);
  pl = nh_plugin_at(0);
  assert_string_equal(pl->name, "tp_good");
  assert_string_equal(pl->version, "1.2.3");
  assert_non_null(strstr(pl->file, "tp_good.so"));
  assert_non_null(strstr(logged, "tp_good: loaded with 3 parsers"));
  /* by name and alias, case-insensitively */
  assert_non_null(p = nh_registry_platform("tp_os"));
  assert_ptr_equal(nh_registry_platform("TP"), p);
  assert_ptr_equal(nh_registry_platform("vendor.tp.os"), p);
  assert_null(nh_registry_platform("tp_oss"));
  assert_string_equal(p->prompt_pattern, "[>#]\\s*$");
  assert_string_equal(p->error_patterns[0], "^% Invalid");
  assert_null(p->error_patterns[1]);
  assert_null(p->on_open[0]); /* absent lists are empty, never NULL */
  assert_null(p->enable_command);
  assert_int_equal(p->rollback_method, NH_PLUGIN_ROLLBACK_REPLACE);
  assert_ptr_equal(p->owner, pl);
  /* loading the same file again is a no-op */
  assert_int_equal(load("tp_good", NULL), 0);
  assert_int_equal(nh_plugin_count(), 1);
}

static void test_parse(void **state) {
  nh_value_t *v = NULL;
  char *msg = NULL, *json;
  const char text[] = "thing foo";
  assert_int_equal(load("tp_good", NULL), 0);
  assert_int_equal(nh_registry_parse("tp", "sh thi", text, strlen(text), &v, &msg), 0);
  json = nh_value_to_json(v, 0, NULL);
  assert_string_equal(json, "{\"name\":\"foo\",\"answer\":42,\"ok\":true,\"ratio\":0.5,"
                            "\"nothing\":null,\"ud\":\"userdata\"}");
  free(json);
  nh_value_free(v);
  /* a finer pattern wins over the shorter one; "*" takes arguments */
  assert_int_equal(nh_registry_parse("tp_os", "show thing br", text, strlen(text), &v, &msg), 0);
  assert_string_equal(nh_value_map_get(v, "ud")->u.str.ptr, "brief");
  nh_value_free(v);
  assert_int_equal(nh_registry_parse("tp_os", "show things Gi0/1 x", text, 9, &v, &msg), 0);
  assert_string_equal(nh_value_map_get(v, "ud")->u.str.ptr, "wild");
  nh_value_free(v);
  /* empty output: an empty list */
  assert_int_equal(nh_registry_parse("tp_os", "show thing", "", 0, &v, &msg), 0);
  assert_int_equal(v->type, NH_VALUE_LIST);
  assert_int_equal(v->u.list.len, 0);
  nh_value_free(v);
  /* a parse error carries the parser's reason and line */
  assert_int_equal(nh_registry_parse("tp_os", "show thing", "junk", 4, &v, &msg), NH_EPARSE);
  assert_null(v);
  assert_string_equal(msg, "line 1: expected 'thing NAME'");
  free(msg);
  /* no parser */
  assert_int_equal(nh_registry_parse("tp_os", "show nothing", "x", 1, &v, &msg), NH_ENOPARSER);
  assert_null(msg);
  assert_int_equal(nh_registry_parse("nope_os", "show thing", "x", 1, &v, &msg), NH_ENOPARSER);
  /* the parser source answers what registered parsers do not */
  assert_int_equal(nh_registry_parse("TP", "show magic", "abc", 3, &v, &msg), 0);
  assert_int_equal(v->type, NH_VALUE_LIST);
  assert_string_equal(v->u.list.items[0]->u.str.ptr, "abc");
  nh_value_free(v);
}

static void test_find_parser(void **state) {
  nh_parser_match_t m;
  char *msg = NULL;
  assert_int_equal(load("tp_good", NULL), 0);
  assert_int_equal(nh_registry_find_parser("tp", "s thing", &m, &msg), 0);
  assert_string_equal(m.platform, "tp_os");
  assert_string_equal(m.command, "show thing");
  assert_null(m.source);
  assert_int_equal(nh_registry_find_parser("tp", "show magic", &m, &msg), 0);
  assert_string_equal(m.source, "tp_source");
  assert_string_equal(m.detail, "magic.template");
  /* "show thing" and "show things *" both take "show thin": ambiguous */
  assert_int_equal(nh_registry_find_parser("tp", "show thin", &m, &msg), 0);
  assert_string_equal(m.command, "show thing");
}

static void test_command_match(void **state) {
  assert_true(nh_registry_command_match("show version", "sh ver") >= 0);
  assert_true(nh_registry_command_match("show ip interface brief", "sh ip int br") >= 0);
  assert_true(nh_registry_command_match("show ip interface brief", "SHOW IP INT BRIEF") >= 0);
  assert_int_equal(nh_registry_command_match("show version", "sh ver detail"), -1);
  assert_int_equal(nh_registry_command_match("show version", "sh"), -1);
  assert_int_equal(nh_registry_command_match("show version", "sh vex"), -1);
  assert_int_equal(nh_registry_command_match("show version", "show versions"), -1);
  assert_true(nh_registry_command_match("show interfaces *", "sh int Gi0/1") >= 0);
  assert_true(nh_registry_command_match("show interfaces *", "sh int") >= 0);
  assert_true(nh_registry_command_match("show version", "show version") >
              nh_registry_command_match("show version", "sh ver"));
  assert_true(nh_registry_command_match("show interfaces status", "sh int status") >
              nh_registry_command_match("show interfaces *", "sh int status"));
}

static void test_abi_mismatch(void **state) {
  char *msg = NULL;
  assert_int_equal(load("tp_abi", &msg), NH_EABI);
  assert_non_null(msg);
  assert_non_null(strstr(msg, "tp_abi.so"));
  assert_non_null(strstr(msg, "ABI 2.3"));
  char ours[32];
  snprintf(ours, sizeof ours, "ABI %d.%d", NH_PLUGIN_ABI_MAJOR, NH_PLUGIN_ABI_MINOR);
  assert_non_null(strstr(msg, ours));
  free(msg);
  assert_int_equal(nh_plugin_count(), 0);
  assert_int_equal(nh_plugin_failure_count(), 1);
  assert_non_null(strstr(nh_plugin_failure(0), "tp_abi.so"));
}

static void test_init_failure_rolled_back(void **state) {
  nh_value_t *v = NULL;
  char *msg = NULL;
  assert_int_equal(load("tp_initfail", &msg), NH_EPLUGIN);
  assert_non_null(strstr(msg, "tp_initfail.so"));
  assert_non_null(strstr(msg, "rolled back"));
  free(msg);
  assert_null(nh_registry_platform("tp_fail_os"));
  assert_int_equal(nh_registry_parse("tp_fail_os", "show version", "x", 1, &v, NULL), NH_ENOPARSER);
  assert_non_null(strstr(logged, "unload hook ran (rollback)"));
  assert_int_equal(nh_plugin_count(), 0);
  /* the others still load */
  assert_int_equal(load("tp_good", NULL), 0);
}

static void test_duplicate(void **state) {
  char *msg = NULL;
  assert_int_equal(load("tp_good", NULL), 0);
  assert_int_equal(load("tp_dup", &msg), NH_EDUPLICATE);
  assert_non_null(strstr(msg, "tp_dup.so"));
  free(msg);
  /* the log names both files */
  assert_non_null(strstr(logged, "tp_dup.so: platform alias 'tp' (of tp_other_os) is already "
                                 "taken by platform 'tp_os' of "));
  assert_non_null(strstr(logged, "tp_good.so"));
  assert_null(nh_registry_platform("tp_other_os"));
  assert_int_equal(nh_plugin_count(), 1);
}

static void test_no_declare_and_bad_files(void **state) {
  char *msg = NULL;
  assert_int_equal(load("tp_nodeclare", &msg), NH_EPLUGIN);
  assert_non_null(strstr(msg, "did not declare"));
  free(msg);
  assert_int_equal(nh_plugin_load("/nonexistent/x.so", &msg), NH_EPLUGIN);
  assert_non_null(strstr(msg, "/nonexistent/x.so"));
  free(msg);
  assert_int_equal(nh_plugin_load(NH_TP_DIR "/../CMakeFiles", &msg), NH_EPLUGIN);
  free(msg);
}

static void test_bad_pattern(void **state) {
  char *msg = NULL;
  assert_int_equal(load("tp_badpattern", &msg), NH_EPLUGIN);
  assert_non_null(strstr(msg, "tp_badpattern.so"));
  free(msg);
  assert_non_null(strstr(logged, "platform tp_bad_os: error_patterns '(unclosed' is not a valid "
                                 "PCRE2 pattern"));
  assert_null(nh_registry_platform("tp_bad_os"));
}

static void test_load_dir(void **state) {
  /* every .so of the folder, in name order: tp_abi fails; tp_dup loads, so tp_good (later
   * in the order) is the one whose alias clashes; tp_initfail and tp_nodeclare fail. */
  int n = nh_plugin_load_dir(NH_TP_DIR);
  assert_int_equal(n, 1);
  assert_int_equal(nh_plugin_count(), 1);
  assert_string_equal(nh_plugin_at(0)->name, "tp_dup");
  assert_non_null(strstr(logged, "tp_good.so"));
  assert_non_null(strstr(logged, "ABI 2.3"));
  assert_int_equal(nh_plugin_load_dir("/nonexistent"), 0);
  nh_plugin_unload_all();
  assert_null(nh_registry_platform("tp_other_os"));
}

/* Built-in plugins (nh_plugin_add_builtin): listed under their name, started once, rolled
 * back whole when their entry fails, like a file. */
static int builtin_unloads;
static void builtin_unload(void *ud) {
  (void)ud;
  builtin_unloads++;
}
static int builtin_good(const nh_plugin_host_t *host, nh_plugin_t *self) {
  NH_PLUGIN_DECLARE(host, self, "builtin_good", "1.0.0");
  return host->on_unload(self, builtin_unload, NULL);
}
static int builtin_bad(const nh_plugin_host_t *host, nh_plugin_t *self) {
  NH_PLUGIN_DECLARE(host, self, "builtin_bad", "1.0.0");
  int rc = host->on_unload(self, builtin_unload, NULL);
  return rc < 0 ? rc : NH_PLUGIN_EINVAL;
}

static void test_builtin(void **state) {
  char *msg = NULL;
  (void)state;
  builtin_unloads = 0;
  assert_int_equal(nh_plugin_add_builtin("(built-in good)", builtin_good, &msg), 0);
  assert_int_equal(nh_plugin_add_builtin("(built-in good)", builtin_good, &msg), 0);
  assert_int_equal(nh_plugin_count(), 1);
  assert_string_equal(nh_plugin_at(0)->name, "builtin_good");
  assert_string_equal(nh_plugin_at(0)->file, "(built-in good)");
  assert_int_equal(nh_plugin_add_builtin("(built-in bad)", builtin_bad, &msg), NH_EPLUGIN);
  assert_non_null(strstr(msg, "(built-in bad): plugin builtin_bad failed to initialise"));
  free(msg);
  assert_int_equal(builtin_unloads, 1); /* the failed one's hook ran at its rollback */
  assert_int_equal(nh_plugin_count(), 1);
  assert_int_equal(nh_plugin_add_builtin(NULL, builtin_good, NULL), NH_EINVAL);
  nh_plugin_unload_all();
  assert_int_equal(builtin_unloads, 2);
}

NH_TEST_MAIN(NULL, NULL, NH_TEST(test_good_plugin), NH_TEST(test_parse), NH_TEST(test_find_parser),
             NH_TEST(test_command_match), NH_TEST(test_abi_mismatch),
             NH_TEST(test_init_failure_rolled_back), NH_TEST(test_duplicate),
             NH_TEST(test_no_declare_and_bad_files), NH_TEST(test_bad_pattern),
             NH_TEST(test_load_dir), NH_TEST(test_builtin))
