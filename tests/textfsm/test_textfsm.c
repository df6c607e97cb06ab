/* Unit tests of the TextFSM engine: the language (options, actions, states, substitution),
 * the Python -> PCRE2 regex translation, load errors naming template and line, and the
 * index with its completion syntax. Expected results follow textfsm 1.1's behaviour. */
#include "../unit/test_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "textfsm.h"

static char g_err[2048];

static nh_tfsm_template_t *load(const char *text) {
  nh_tfsm_template_t *t = NULL;
  int rc = nh_tfsm_template_load("t.textfsm", text, strlen(text), &t, g_err, sizeof g_err);
  if (rc != 0) fprintf(stderr, "load failed: %s\n", g_err);
  assert_int_equal(rc, 0);
  return t;
}

static int load_fails(const char *text, const char *want) {
  nh_tfsm_template_t *t = NULL;
  g_err[0] = '\0';
  int rc = nh_tfsm_template_load("bad.textfsm", text, strlen(text), &t, g_err, sizeof g_err);
  assert_null(t);
  if (!strstr(g_err, want)) fprintf(stderr, "message: %s (wanted %s)\n", g_err, want);
  assert_non_null(strstr(g_err, want));
  return rc;
}

/* Renders a table as "a=1,b=[x|y];..." for compact comparisons. */
static char *render(const nh_tfsm_table_t *tab) {
  static char buf[8192];
  size_t n = 0;
  buf[0] = '\0';
  for (size_t r = 0; r < tab->nrows; r++) {
    for (size_t c = 0; c < tab->ncols; c++) {
      const nh_tfsm_cell_t *cell = &tab->cells[r * tab->ncols + c];
      n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s=", c ? "," : "", tab->header[c]);
      if (cell->type == NH_TFSM_CELL_STR) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%.*s", (int)cell->str.len, cell->str.ptr);
        continue;
      }
      n += (size_t)snprintf(buf + n, sizeof buf - n, "[");
      for (size_t i = 0; i < cell->count; i++) {
        const nh_tfsm_item_t *it = &tab->items[cell->first + i];
        if (i) n += (size_t)snprintf(buf + n, sizeof buf - n, "|");
        if (it->is_map) {
          for (size_t k = 0; k < it->count; k++) {
            const nh_tfsm_kv_t *kv = &tab->kvs[it->first + k];
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s:%.*s", k ? " " : "{",
                                  (int)kv->key.len, kv->key.ptr, kv->val.ptr ? (int)kv->val.len : 4,
                                  kv->val.ptr ? kv->val.ptr : "None");
          }
          n += (size_t)snprintf(buf + n, sizeof buf - n, "}");
        } else if (it->str.ptr) {
          n += (size_t)snprintf(buf + n, sizeof buf - n, "%.*s", (int)it->str.len, it->str.ptr);
        } else {
          n += (size_t)snprintf(buf + n, sizeof buf - n, "None");
        }
      }
      n += (size_t)snprintf(buf + n, sizeof buf - n, "]");
    }
    n += (size_t)snprintf(buf + n, sizeof buf - n, ";");
  }
  return buf;
}

/* What parsing text with a template gives: the table rendered, as render() writes it. Each
 * case says what it shows. Expected results follow textfsm 1.1. */
static const struct parse_case {
  const char *what, *tpl, *text, *want;
} parse_cases[] = {
    {"Record", "Value Name (\\S+)\nValue Num (\\d+)\n\nStart\n  ^${Name} has $Num -> Record\n",
     "a has 1\nb has 2\nc has x\n", "Name=a,Num=1;Name=b,Num=2;"},
    {"the implicit EOF records what is pending", "Value A (\\w+)\n\nStart\n  ^x=${A}\n",
     "x=1\nx=2\n", "A=2;"},
    {"an EOF state, even empty, suppresses it", "Value A (\\w+)\n\nStart\n  ^x=${A}\n\nEOF\n",
     "x=1\n", ""},
    {"Filldown, Required and Key",
     "Value Filldown Chassis (\\S+)\nValue Required Slot (\\d+)\nValue Key Model (\\S*)\n\n"
     "Start\n  ^Chassis ${Chassis}\n  ^Slot ${Slot} ${Model} -> Record\n  ^empty -> Record\n",
     "Chassis c1\nSlot 1 m1\nempty\nSlot 2 m2\nChassis c2\nSlot 3 \n",
     "Chassis=c1,Slot=1,Model=m1;Chassis=c1,Slot=2,Model=m2;Chassis=c2,Slot=3,Model=;"},
    {"Fillup",
     "Value Fillup Vlan (\\d+)\nValue Port (\\S+)\n\nStart\n  ^port ${Port} -> Record\n"
     "  ^vlan ${Vlan}\n",
     "port a\nport b\nvlan 10\nport c\n", "Vlan=10,Port=a;Vlan=10,Port=b;Vlan=10,Port=c;"},
    {"Continue.Record records the previous group before this line's Name is kept",
     "Value Name (\\S+)\nValue List Members (\\S+)\n\nStart\n"
     "  ^group ${Name} -> Continue.Record\n  ^group\n  ^  ${Members}\n",
     "group g1\n  a\n  b\ngroup g2\n  c\n",
     "Name=g1,Members=[];Name=g2,Members=[a|b];Name=,Members=[c];"},
    {"List values with named groups give dicts (TextFSM's nested match)",
     "Value List People ((?P<name>\\w+)\\s+(?P<age>\\d+)?)\n\nStart\n  ^${People}\n",
     "bob 32\nann \n", "People=[{name:bob age:32}|{name:ann age:None}];"},
    {"Filldown keeps a List's items until Clearall",
     "Value Filldown,List L (\\w+)\nValue R (\\d+)\n\nStart\n  ^l ${L}\n  ^r ${R} -> Record\n"
     "  ^reset -> Clearall\n",
     "l a\nr 1\nl b\nr 2\nreset\nr 3\n", "L=[a],R=1;L=[a|b],R=2;L=[],R=3;"},
    {"Required before List checks the last string",
     "Value Required,List L (\\w*)\n\nStart\n  ^l ${L}\n  ^r -> Record\n", "l a\nl \nr\n", ""},
    {"Required after List checks the list itself",
     "Value List,Required L (\\w*)\n\nStart\n  ^l ${L}\n  ^r -> Record\n", "l a\nl \nr\n",
     "L=[a|];"},
    {"Continue, Clear, states and End",
     "Value A (\\w+)\nValue B (\\w+)\n\nStart\n  ^begin -> Body\n\nBody\n"
     "  ^${A}-${B} -> Continue\n  ^${A}-x -> Record\n  ^clear -> Clear\n  ^end -> End\n",
     "a-b\nbegin\nq-x\nclear\nr-s\nend\nz-x\n", "A=q,B=x;"},
    {"$$ is an end anchor", "Value A (\\d+)\n\nStart\n  ^n=$A$$ -> Record\n", "n=1\nn=2x\nn=3\n",
     "A=1;A=3;"},
    {"a rule's trailing whitespace before -> is part of the regex",
     "Value A (\\d+)\n\nStart\n  ^n=${A}  -> Record\n", "n=1\nn=2 \n", "A=2;"},
    {"Python's {,n}", "Value A (x{,2})\n\nStart\n  ^${A}y -> Record\n", "xxy\nxxxy\n", "A=xx;"},
    {"inline flags and \\Z", "Value A (\\w+)\n\nStart\n  ^(?i:ab) ${A}\\Z -> Record\n", "AB q\n",
     "A=q;"},
    {"(?P=name)", "Value A ((?P<w>\\w)(?P=w))\n\nStart\n  ^${A} -> Record\n", "aa\nab\n", "A=aa;"},
    {"lookarounds", "Value A (\\d+)\n\nStart\n  ^(?<=)x(?=\\d)${A} -> Record\n", "x12\n", "A=12;"},
    {"a top-level | is anchored as a whole",
     "Value A (\\d+)\nValue B (\\d+)\n\nStart\n  ^a${A}|b${B} -> Record\n", "zb2\nb3\n", "A=,B=3;"},
    {"\\s matches Unicode spaces", "Value A (\\S+)\n\nStart\n  ^k\\s${A} -> Record\n",
     "k\xc2\xa0v\n", "A=v;"},
    {"value names longer than PCRE2's 32-character limit",
     "Value A_very_long_value_name_of_forty_chars (\\d+)\n\nStart\n"
     "  ^${A_very_long_value_name_of_forty_chars} -> Record\n",
     "7\n", "A_very_long_value_name_of_forty_chars=7;"},
    {"[[:alpha:]] is not a POSIX class in Python",
     "Value A ([[:a]+)\n\nStart\n  ^${A}\\] -> Record\n", "a:[]\n", "A=a:[;"},
    {"lines end as Python's splitlines() ends them",
     "Value A (\\w+)\n\nStart\n  ^${A}$$ -> Record\n",
     "a\r\nb\rc\x0b"
     "d\xe2\x80\xa8"
     "e",
     "A=a;A=b;A=c;A=d;A=e;"},
    {"invalid UTF-8 is read as U+FFFD, never a failure",
     "Value A (.+)\n\nStart\n  ^${A} -> Record\n", "x\xff\n", "A=x\xef\xbf\xbd;"},
};

static void test_parse_cases(void **s) {
  (void)s;
  for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
    const struct parse_case *c = &parse_cases[i];
    nh_tfsm_template_t *t = load(c->tpl);
    nh_tfsm_table_t *tab = NULL;
    assert_int_equal(nh_tfsm_parse(t, c->text, strlen(c->text), &tab, g_err, sizeof g_err), 0);
    const char *got = render(tab);
    if (strcmp(got, c->want) != 0)
      fprintf(stderr, "%s:\ngot  %s\nwant %s\n", c->what, got, c->want);
    assert_string_equal(got, c->want);
    nh_tfsm_table_free(tab);
    nh_tfsm_template_free(t);
  }
}

static void test_error_action(void **s) {
  nh_tfsm_template_t *t = load("Value A (\\w+)\n\nStart\n  ^ok ${A}\n  ^. -> Error \"bad line\"\n");
  nh_tfsm_table_t *tab = NULL;
  const char *in = "ok 1\nnope\n";
  assert_int_equal(nh_tfsm_parse(t, in, strlen(in), &tab, g_err, sizeof g_err), NH_TFSM_EPARSE);
  assert_null(tab);
  assert_non_null(strstr(g_err, "Error: \"bad line\". Rule Line: 5. Input Line: nope."));
  /* Empty input is an empty result, not an error. */
  assert_int_equal(nh_tfsm_parse(t, "", 0, &tab, g_err, sizeof g_err), 0);
  assert_int_equal(tab->nrows, 0);
  nh_tfsm_table_free(tab);
  nh_tfsm_template_free(t);
}

static void test_load_errors(void **s) {
  assert_int_equal(load_fails("Value A (x)\n\nFoo\n  ^x\n", "Missing state 'Start'"),
                   NH_TFSM_ESYNTAX);
  load_fails("Value A (x\n\nStart\n", "bad.textfsm:1: Value '(x' must be contained");
  load_fails("Value A x\n\nStart\n", "bad.textfsm:1: Unknown option \"A\"");
  load_fails("Value Bogus A (x)\n\nStart\n", "bad.textfsm:1: Unknown option \"Bogus\"");
  load_fails("Value A (x)\nValue A (y)\n\nStart\n", "bad.textfsm:2: Duplicate declarations");
  load_fails("Value A (x)\n\nStart\n  ^${B}\n", "bad.textfsm:4: Duplicate or invalid variable");
  load_fails("Value A (x)\n\nStart\n  ^a(b\n", "bad.textfsm:4: Invalid regular expression");
  load_fails("Value A (x)\n\nStart\n  ^\\q\n", "bad.textfsm:4: Invalid regular expression");
  load_fails("Value A (x)\n\nStart\n   ^a\n", "bad.textfsm:4: Missing white space");
  load_fails("Value A (x)\n\nStart\n  ^a -> Continue Foo\n", "Action 'Continue' with new state");
  load_fails("Value A (x)\n\nStart\n  ^a -> Nowhere\n", "State 'Nowhere' not found");
  load_fails("Value A (x)\n\nStart\n  ^a -> Next.Bogus\n", "bad.textfsm:4: Badly formatted rule");
  load_fails("Value A (x)\n\nStart\n  ^a\n\nEOF\n  ^b\n", "Non-Empty 'EOF' state");
  load_fails("Value A (x)\n\nStart\n  ^a\n\nRecord\n", "Invalid state name: 'Record'");
  load_fails("Foo\n", "No Value definitions found");
  load_fails("Value A (x)\nbar\n", "bad.textfsm:2: Expected blank line after last Value");
  load_fails("Value A (x)\n\nStart\n  ^x(?i)\n", "global flags not at the start");
  load_fails("Value A (x)\n\n\xffStart\n", "bad.textfsm:3: not valid UTF-8");
  nh_tfsm_template_t *t = NULL;
  assert_int_equal(nh_tfsm_template_load_file("/nonexistent/x.textfsm", &t, g_err, sizeof g_err),
                   NH_TFSM_ENOENT);
}

/* A template folder with an index: completion syntax, first match wins, prefix matching
 * of Platform as re.match does, templates merged on Key values. */
static void test_index(void **s) {
  char dir[] = "/tmp/nh-tfsm-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[512];
  struct {
    const char *name, *text;
  } files[] = {
      {"index", "# comment\n\nTemplate, Hostname, Platform, Command\n\n"
                "a_ver.textfsm, .*, vend_os, sh[[ow]] ver[[sion]]\n"
                "a_int.textfsm:a_int2.textfsm, .*, vend_os, sh[[ow]] int[[erfaces]]\n"
                "a_other.textfsm, .*, vend_os, sh[[ow]] ver[[sion]] detail\n"},
      {"a_ver.textfsm", "Value V (\\S+)\n\nStart\n  ^Version ${V} -> Record\n"},
      {"a_other.textfsm", "Value W (\\S+)\n\nStart\n  ^Version ${W} -> Record\n"},
      {"a_int.textfsm", "Value Key If (\\S+)\nValue St (\\S+)\n\nStart\n"
                        "  ^${If} is ${St} -> Record\n"},
      {"a_int2.textfsm", "Value If (\\S+)\nValue Mtu (\\d+)\n\nStart\n"
                         "  ^${If} mtu ${Mtu} -> Record\n"},
  };
  for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[k].name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(files[k].text, f);
    fclose(f);
  }
  nh_tfsm_index_t *idx;
  assert_int_equal(nh_tfsm_index_open(dir, &idx, g_err, sizeof g_err), 0);
  assert_string_equal(nh_tfsm_index_lookup(idx, "vend_os", "sh ver"), "a_ver.textfsm");
  assert_string_equal(nh_tfsm_index_lookup(idx, "vend_os", "show version detail"),
                      "a_ver.textfsm"); /* first match wins */
  assert_string_equal(nh_tfsm_index_lookup(idx, "vend_os_xe", "show ver"), "a_ver.textfsm");
  assert_null(nh_tfsm_index_lookup(idx, "vend_os", "s ver"));
  assert_null(nh_tfsm_index_lookup(idx, "other", "show version"));
  assert_null(nh_tfsm_index_lookup(idx, "vend_os", "show ver\xff"));
  nh_tfsm_table_t *tab = NULL;
  const char *in = "e0 is up\ne1 is down\ne1 mtu 9000\ne0 mtu 1500\n";
  assert_int_equal(
      nh_tfsm_index_parse(idx, "vend_os", "sh int", in, strlen(in), &tab, g_err, sizeof g_err), 0);
  assert_string_equal(render(tab), "If=e0,St=up,Mtu=1500;If=e1,St=down,Mtu=9000;");
  nh_tfsm_table_free(tab);
  assert_int_equal(
      nh_tfsm_index_parse(idx, "vend_os", "show clock", in, strlen(in), &tab, g_err, sizeof g_err),
      NH_TFSM_ENOPARSER);
  nh_tfsm_index_free(idx);
  for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[k].name);
    unlink(path);
  }
  rmdir(dir);
}

NH_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_parse_cases), cmocka_unit_test(test_error_action),
             cmocka_unit_test(test_load_errors), cmocka_unit_test(test_index))
