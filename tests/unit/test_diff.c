/* Unit tests for core/diff: line splitting (LF, CRLF, a last line without newline, empty
 * text), minimal diffs checked by replaying them, the common head and tail, and the cost
 * limit (a correct but not minimal diff). */
#include "test_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

typedef struct {
  nh_line_t *a, *b;
  size_t na, nb;
  nh_diff_t d;
} case_t;

static void run(case_t *c, const char *a, const char *b, size_t max_cost) {
  assert_int_equal(nh_lines_split(a, strlen(a), &c->a, &c->na), 0);
  assert_int_equal(nh_lines_split(b, strlen(b), &c->b, &c->nb), 0);
  assert_int_equal(nh_diff_lines(c->a, c->na, c->b, c->nb, max_cost, &c->d), 0);
}

static void done(case_t *c) {
  nh_diff_free(&c->d);
  free(c->a);
  free(c->b);
}

static int same(const nh_line_t *x, const nh_line_t *y) {
  return x->len == y->len && memcmp(x->text, y->text, x->len) == 0;
}

/* Replays the runs: equal runs pair equal lines, and a and b are each covered once, in
 * order. Returns the number of inserted plus deleted lines. */
static size_t check(const case_t *c) {
  size_t ai = 0, bi = 0, edits = 0;
  for (size_t r = 0; r < c->d.nruns; r++) {
    const nh_diff_run_t *run = &c->d.runs[r];
    assert_true(run->count > 0);
    switch (run->op) {
    case NH_DIFF_EQUAL:
      assert_int_equal(run->a_start, ai);
      assert_int_equal(run->b_start, bi);
      for (size_t k = 0; k < run->count; k++) assert_true(same(&c->a[ai + k], &c->b[bi + k]));
      ai += run->count;
      bi += run->count;
      break;
    case NH_DIFF_DELETE:
      assert_int_equal(run->a_start, ai);
      ai += run->count;
      edits += run->count;
      break;
    case NH_DIFF_INSERT:
      assert_int_equal(run->b_start, bi);
      bi += run->count;
      edits += run->count;
      break;
    }
  }
  assert_int_equal(ai, c->na);
  assert_int_equal(bi, c->nb);
  return edits;
}

static void test_split(void **state) {
  (void)state;
  nh_line_t *l;
  size_t n;
  const char *t = "one\r\ntwo\n\nlast";
  assert_int_equal(nh_lines_split(t, strlen(t), &l, &n), 0);
  assert_int_equal(n, 4);
  assert_int_equal(l[0].len, 3); /* the CR is not part of the line */
  assert_memory_equal(l[1].text, "two", 3);
  assert_int_equal(l[2].len, 0);
  assert_memory_equal(l[3].text, "last", 4);
  free(l);
  assert_int_equal(nh_lines_split("a\n", 2, &l, &n), 0);
  assert_int_equal(n, 1); /* no empty line after the final newline */
  free(l);
  assert_int_equal(nh_lines_split("", 0, &l, &n), 0);
  assert_int_equal(n, 0);
  free(l);
}

static void test_equal_and_empty(void **state) {
  (void)state;
  case_t c;
  run(&c, "a\nb\n", "a\nb\n", 0);
  assert_int_equal(check(&c), 0);
  assert_int_equal(c.d.nruns, 1);
  assert_true(c.d.minimal);
  done(&c);
  run(&c, "", "x\ny\n", 0);
  assert_int_equal(check(&c), 2);
  assert_int_equal(c.d.nruns, 1);
  assert_int_equal(c.d.runs[0].op, NH_DIFF_INSERT);
  done(&c);
  run(&c, "x\ny\n", "", 0);
  assert_int_equal(check(&c), 2);
  assert_int_equal(c.d.runs[0].op, NH_DIFF_DELETE);
  done(&c);
}

/* A configuration change: one line replaced, one added, one removed. */
static void test_minimal_change(void **state) {
  (void)state;
  case_t c;
  run(&c,
      "hostname r1\nntp server 10.0.0.9\ninterface Gi1\n shutdown\n description old\n"
      "end\n",
      "hostname r1\nntp server 10.0.0.1\ninterface Gi1\n shutdown\nlogging host 10.0.0.5\nend\n",
      0);
  assert_int_equal(check(&c), 4); /* ntp - and +, description - and logging + */
  assert_true(c.d.minimal);
  assert_int_equal(c.d.runs[0].op, NH_DIFF_EQUAL);             /* the common head */
  assert_int_equal(c.d.runs[c.d.nruns - 1].op, NH_DIFF_EQUAL); /* the common tail */
  done(&c);
}

/* Past the cost limit the middle becomes one replacement: correct, flagged not minimal. */
static void test_cost_limit(void **state) {
  (void)state;
  enum { N = 400 };
  char *a = malloc(N * 16), *b = malloc(N * 16);
  size_t la = 0, lb = 0;
  for (int i = 0; i < N; i++) {
    la += (size_t)sprintf(a + la, "a%d\n", i);
    lb += (size_t)sprintf(b + lb, "%s%d\n", i % 2 ? "a" : "b", i); /* every other line */
  }
  case_t c;
  run(&c, a, b, 10);
  assert_false(c.d.minimal);
  assert_int_equal(check(&c), 2 * (N - 1)); /* all but the common last line, - and + */
  done(&c);
  run(&c, a, b, 0);
  assert_true(c.d.minimal);
  assert_int_equal(check(&c), N); /* the N/2 changed lines, each - and + */
  done(&c);
  free(a);
  free(b);
}

NH_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_split), cmocka_unit_test(test_equal_and_empty),
             cmocka_unit_test(test_minimal_change), cmocka_unit_test(test_cost_limit))
