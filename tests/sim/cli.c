/* The CLI engine the personalities share: tokens, keyword matching with abbreviations
 * ("sh ip int br"), the error caret, and output pipes (IOS/EOS "| include", "| section",
 * Junos "| match", "| no-more", "| display set"). */
#include <regex.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

int cli_tokens(const char *line, char **tok, int max, char *buf, size_t bufsz) {
  size_t n = strlen(line);
  if (n >= bufsz) n = bufsz - 1;
  memcpy(buf, line, n);
  buf[n] = '\0';
  int k = 0;
  char *p = buf;
  while (*p && k < max) {
    while (*p == ' ' || *p == '\t') *p++ = '\0';
    if (!*p) break;
    tok[k++] = p;
    while (*p && *p != ' ' && *p != '\t') p++;
  }
  return k;
}

/* How many leading tokens of `line` match `pattern`; *complete is set when all tokens
 * matched and the pattern was used up (or ended with "..."). */
static int match_len(const char *line, const char *pattern, int *complete) {
  char lb[1024], pb[512];
  char *lt[64], *pt[32];
  int nl = cli_tokens(line, lt, 64, lb, sizeof lb);
  int np = cli_tokens(pattern, pt, 32, pb, sizeof pb);
  int i = 0;
  *complete = 0;
  for (; i < nl; i++) {
    if (i >= np) return i;
    if (strcmp(pt[i], "...") == 0) {
      *complete = 1;
      return nl;
    }
    if (strcmp(pt[i], "*") == 0) continue;
    /* Alternatives: "running-config|run" */
    int ok = 0;
    char alt[128];
    snprintf(alt, sizeof alt, "%s", pt[i]);
    char *save = NULL;
    for (char *a = strtok_r(alt, "|", &save); a; a = strtok_r(NULL, "|", &save)) {
      size_t tl = strlen(lt[i]);
      if (tl <= strlen(a) && strncasecmp(lt[i], a, tl) == 0) ok = 1;
    }
    if (!ok) return i;
  }
  if (i == np || (i < np && strcmp(pt[i], "...") == 0)) *complete = 1;
  return i;
}

int cli_match(const char *input, const char *pattern) {
  int complete;
  match_len(input, pattern, &complete);
  return complete;
}

static size_t token_col(const char *line, int k) {
  const char *p = line;
  int i = -1;
  while (*p) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) break;
    if (++i == k) return (size_t)(p - line);
    while (*p && *p != ' ' && *p != '\t') p++;
  }
  return (size_t)(p - line);
}

size_t cli_bad_column(const char *line, const char *const *patterns) {
  int best = 0, complete;
  char b[1024];
  char *tok[64];
  int n = cli_tokens(line, tok, 64, b, sizeof b);
  for (const char *const *p = patterns; *p; p++) {
    int m = match_len(line, *p, &complete);
    if (m > best) best = m;
  }
  if (best >= n) return (size_t)-1; /* every word known: the command is incomplete */
  return token_col(line, best);
}

void cli_invalid(sim_cli_t *cli, size_t col, sbuf_t *out) {
  cli->error = 1;
  if (col == (size_t)-1) {
    sb_puts(out, "% Incomplete command.\n\n");
    return;
  }
  /* The caret sits under the bad word as the user sees it, after the prompt (prompt_len
   * stays 0 on exec channels, which show no prompt). */
  size_t pad = col + (size_t)cli->prompt_len;
  for (size_t i = 0; i < pad; i++) sb_putc(out, ' ');
  sb_puts(out, "^\n% Invalid input detected at '^' marker.\n\n");
}

/* ---- pipes ---- */

typedef struct pipe_op {
  char kind; /* i include, e exclude, b begin, s section, c count, m match, x except */
  char arg[128];
} pipe_op_t;

/* IOS/EOS "| include" and Junos "| match" take regular expressions. */
static int line_matches(const char *line, size_t len, const regex_t *re) {
  char buf[4096];
  if (len >= sizeof buf) len = sizeof buf - 1;
  memcpy(buf, line, len);
  buf[len] = '\0';
  return regexec(re, buf, 0, NULL, 0) == 0;
}

static void apply_pipe(const pipe_op_t *op, const sbuf_t *in, sbuf_t *out) {
  regex_t re;
  if (regcomp(&re, op->arg[0] ? op->arg : ".", REG_EXTENDED | REG_NOSUB) != 0)
    regcomp(&re, ".", REG_EXTENDED | REG_NOSUB);
  const char *p = in->data ? in->data : "";
  const char *end = p + in->len;
  int begun = 0, in_section = 0;
  unsigned count = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    size_t full = nl ? len + 1 : len;
    int m = line_matches(p, len, &re);
    int keep = 0;
    switch (op->kind) {
    case 'i':
    case 'm':
      keep = m;
      break;
    case 'e':
    case 'x':
      keep = !m;
      break;
    case 'b':
      if (m) begun = 1;
      keep = begun;
      break;
    case 's':
      if (len > 0 && p[0] != ' ') in_section = m;
      keep = in_section || m;
      break;
    case 'c':
      count += m;
      break;
    }
    if (keep) sb_add(out, p, full);
    p += full;
  }
  if (op->kind == 'c') sb_printf(out, "Number of lines which match regexp = %u\n", count);
  regfree(&re);
}

void cli_execute(sim_cli_t *cli, const char *line, sbuf_t *out) {
  cli->error = 0;
  cli->no_more = 0;
  cli->display_set = 0;
  const sim_personality_t *pers = cli->dev->pers;
  int junos = pers == &sim_juniper_junos;
  const char *bar = cli->want_secret ? NULL : strchr(line, '|');
  if (!bar) {
    pers->command(cli, line, out);
    return;
  }
  char cmd[1024];
  size_t n = (size_t)(bar - line);
  if (n >= sizeof cmd) n = sizeof cmd - 1;
  memcpy(cmd, line, n);
  while (n > 0 && cmd[n - 1] == ' ') n--;
  cmd[n] = '\0';

  pipe_op_t ops[8];
  int nops = 0;
  const char *p = bar;
  while (p && *p == '|' && nops < 8) {
    const char *next = strchr(p + 1, '|');
    char seg[256];
    size_t sl = next ? (size_t)(next - p - 1) : strlen(p + 1);
    if (sl >= sizeof seg) sl = sizeof seg - 1;
    memcpy(seg, p + 1, sl);
    seg[sl] = '\0';
    char b[256];
    char *tok[8];
    int nt = cli_tokens(seg, tok, 8, b, sizeof b);
    const char *arg = nt > 1 ? seg + (tok[1] - b) : "";
    pipe_op_t op = {0};
    snprintf(op.arg, sizeof op.arg, "%s", arg);
    size_t al = strlen(op.arg);
    while (al > 0 && op.arg[al - 1] == ' ') op.arg[--al] = '\0';
    if (nt == 0) {
      op.kind = '?';
    } else if (junos) {
      if (cli_match(tok[0], "no-more"))
        cli->no_more = 1, op.kind = 0;
      else if (cli_match(tok[0], "match"))
        op.kind = 'm';
      else if (cli_match(tok[0], "except"))
        op.kind = 'x';
      else if (cli_match(tok[0], "count"))
        op.kind = 'c', op.arg[0] = '\0';
      else if (cli_match(tok[0], "find"))
        op.kind = 'b';
      else if (cli_match(tok[0], "display") && nt > 1 && cli_match(tok[1], "set"))
        cli->display_set = 1, op.kind = 0;
      else if (cli_match(tok[0], "compare"))
        cli->display_set = 2, op.kind = 0;
      else
        op.kind = '?';
    } else {
      if (cli_match(tok[0], "include"))
        op.kind = 'i';
      else if (cli_match(tok[0], "exclude"))
        op.kind = 'e';
      else if (cli_match(tok[0], "begin"))
        op.kind = 'b';
      else if (cli_match(tok[0], "section"))
        op.kind = 's';
      else if (cli_match(tok[0], "count"))
        op.kind = 'c';
      else
        op.kind = '?';
    }
    if (op.kind == '?') {
      if (junos) {
        cli->error = 1;
        for (int i = 0; i < cli->prompt_len + (int)(p - line) + 2; i++) sb_putc(out, ' ');
        sb_puts(out, "^\nsyntax error.\n");
      } else {
        cli_invalid(cli, (size_t)(p - line) + 2, out);
      }
      return;
    }
    if (op.kind) ops[nops++] = op;
    p = next;
  }
  sbuf_t a, b;
  sb_init(&a);
  sb_init(&b);
  pers->command(cli, cmd, &a);
  for (int i = 0; i < nops && !cli->error; i++) {
    sb_clear(&b);
    apply_pipe(&ops[i], &a, &b);
    sbuf_t t = a;
    a = b;
    b = t;
  }
  sb_add(out, a.data ? a.data : "", a.len);
  sb_free(&a);
  sb_free(&b);
}

/* ---- shared helpers ---- */

uint64_t sim_rand(uint64_t *state) {
  /* splitmix64: small, fast, and the same sequence on every machine. */
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

const char *sim_pick(const char *const *list, uint64_t *state) {
  size_t n = 0;
  while (list[n]) n++;
  return list[sim_rand(state) % n];
}

uint64_t sim_hash(uint64_t a, uint64_t b) {
  uint64_t s = a * 0x100000001b3ULL ^ b;
  return sim_rand(&s);
}

double sim_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t sim_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void sim_uptime(const sim_device_t *dev, sbuf_t *out, int eos_style) {
  long s = (long)(time(NULL) - dev->boot_time);
  long w = s / 604800, d = s % 604800 / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
  if (eos_style) {
    sb_printf(out, "%ld weeks, %ld days, %ld hours and %ld minutes", w, d, h, m);
    return;
  }
  long y = w / 52;
  w %= 52;
  if (y) sb_printf(out, "%ld year%s, ", y, y == 1 ? "" : "s");
  sb_printf(out, "%ld week%s, %ld day%s, %ld hour%s, %ld minute%s", w, w == 1 ? "" : "s", d,
            d == 1 ? "" : "s", h, h == 1 ? "" : "s", m, m == 1 ? "" : "s");
}
