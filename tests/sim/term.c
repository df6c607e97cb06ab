#include "term.h"

#include <stdlib.h>
#include <string.h>

struct sim_term {
  sim_cli_t cli;
  sim_device_t *dev;
  const sim_term_io_t *io;
  void *ctx;
  int pty, exec;
  sbuf_t in;      /* typeahead not processed yet */
  sbuf_t line;    /* the line being edited */
  sbuf_t pending; /* command output still to be paged */
  sbuf_t cmd;     /* the command waiting for its latency to pass */
  int at_more, page_this, first_chunk;
  int busy, eof, closed, last_cr;
  uv_timer_t timer;
};

static void process(sim_term_t *t);

static void out(sim_term_t *t, const char *s, size_t n, int first) {
  if (!t->closed && n > 0) t->io->write(t->ctx, s, n, first);
}

static void out_str(sim_term_t *t, const char *s) {
  out(t, s, strlen(s), 0);
}

/* A PTY turns \n into \r\n (the terminal's ONLCR); an exec channel sends text as is. */
static void crlf(sim_term_t *t, const sbuf_t *src, sbuf_t *dst) {
  for (size_t i = 0; i < src->len; i++) {
    char c = src->data[i];
    if (c == '\n' && t->pty && (i == 0 || src->data[i - 1] != '\r')) sb_putc(dst, '\r');
    sb_putc(dst, c);
  }
}

static void show_prompt(sim_term_t *t) {
  sbuf_t p, q;
  sb_init(&p);
  sb_init(&q);
  t->dev->pers->prompt(&t->cli, &p);
  crlf(t, &p, &q);
  const char *last = strrchr(sb_str(&p), '\n');
  t->cli.prompt_len = (int)(last ? strlen(last + 1) : p.len);
  out(t, q.data, q.len, 0);
  sb_free(&p);
  sb_free(&q);
}

sim_term_t *term_new(sim_device_t *dev, int pty, int width, int height, const sim_term_io_t *io,
                     void *ctx) {
  sim_term_t *t = sim_calloc(1, sizeof *t);
  t->dev = dev;
  t->io = io;
  t->ctx = ctx;
  t->pty = pty;
  sb_init(&t->in);
  sb_init(&t->line);
  sb_init(&t->pending);
  sb_init(&t->cmd);
  t->cli.dev = dev;
  t->cli.mode = MODE_USER;
  t->cli.paging = 1;
  t->cli.page_len = height > 0 ? height : 24;
  t->cli.width = width > 0 ? width : 80;
  uv_timer_init(dev->lab->loop, &t->timer);
  t->timer.data = t;
  return t;
}

void term_resize(sim_term_t *t, int width, int height) {
  if (height > 0 && t->cli.paging) t->cli.page_len = height;
  if (width > 0) t->cli.width = width;
}

static void free_term(uv_handle_t *h) {
  sim_term_t *t = h->data;
  sb_free(&t->in);
  sb_free(&t->line);
  sb_free(&t->pending);
  sb_free(&t->cmd);
  free(t->cli.pdata);
  free(t);
}

void term_free(sim_term_t *t) {
  t->closed = 1;
  uv_close((uv_handle_t *)&t->timer, free_term);
}

void term_start_shell(sim_term_t *t) {
  sbuf_t b, q;
  sb_init(&b);
  sb_init(&q);
  t->dev->pers->banner(&t->cli, &b);
  crlf(t, &b, &q);
  out(t, q.data, q.len, 0);
  sb_free(&b);
  sb_free(&q);
  show_prompt(t);
}

/* Writes the next page of pending output, ending with the --More-- prompt if more is left. */
static void deliver(sim_term_t *t) {
  if (!t->page_this || t->cli.page_len <= 1) {
    out(t, t->pending.data, t->pending.len, t->first_chunk);
    t->first_chunk = 0;
    sb_clear(&t->pending);
    return;
  }
  int lines = 0;
  size_t i = 0;
  for (; i < t->pending.len; i++) {
    if (t->pending.data[i] == '\n' && ++lines == t->cli.page_len - 1) {
      i++;
      break;
    }
  }
  if (i >= t->pending.len) {
    out(t, t->pending.data, t->pending.len, t->first_chunk);
    t->first_chunk = 0;
    sb_clear(&t->pending);
    return;
  }
  out(t, t->pending.data, i, t->first_chunk);
  t->first_chunk = 0;
  sb_consume(&t->pending, i);
  out_str(t, t->dev->pers->more);
  t->at_more = 1;
}

/* Output padding for the "huge" fault: a believable wall of ACL lines. */
static void make_huge(sbuf_t *o, size_t target) {
  unsigned n = 0;
  while (o->len < target) {
    n++;
    sb_printf(o, " %u permit ip host 10.%u.%u.%u any log\n", n * 10, (n >> 16) & 255,
              (n >> 8) & 255, n & 255);
  }
}

/* The padding is the same for every session, so exec channels (no PTY newline
 * translation, no paging) share one copy, made on first use and sent by reference: a
 * thousand clients of the huge fault then cost the lab 4 MB, not 4 GB. */
static const sbuf_t *huge_body(void) {
  static sbuf_t body;
  if (body.len == 0) make_huge(&body, 4u << 20);
  return &body;
}

static void finish_command(sim_term_t *t) {
  sbuf_t o, q;
  sb_init(&o);
  sb_init(&q);
  const char *line = sb_str(&t->cmd);
  cli_execute(&t->cli, line, &o);
  int huge = o.len > 0 && strncmp(line, "sh", 2) == 0 && sim_device_has_fault(t->dev, FAULT_HUGE);
  int shared = huge && t->exec && !t->pty;
  if (huge && !shared) make_huge(&o, 4u << 20);
  crlf(t, &o, &q);
  sb_free(&o);
  t->busy = 0;
  if (t->exec) {
    out(t, q.data, q.len, 1);
    sb_free(&q);
    if (shared && !t->closed) t->io->write_shared(t->ctx, huge_body()->data, huge_body()->len);
    if (!t->closed) t->io->done(t->ctx, t->cli.error ? 1 : 0);
    return;
  }
  sb_add(&t->pending, q.data, q.len);
  sb_free(&q);
  t->page_this = t->pty && t->cli.paging && !t->cli.no_more;
  t->first_chunk = 1;
  deliver(t);
  if (t->cli.exit) {
    t->io->done(t->ctx, 0);
    t->closed = 1;
    return;
  }
  if (!t->at_more) show_prompt(t);
}

static void on_timer(uv_timer_t *tm) {
  sim_term_t *t = tm->data;
  if (t->closed) return;
  const sim_term_io_t *io = t->io;
  void *ctx = t->ctx;
  io->enter(ctx);
  finish_command(t);
  process(t);
  io->leave(ctx); /* may free the terminal's channel and close the terminal */
}

static void start_command(sim_term_t *t, const char *line) {
  sb_clear(&t->cmd);
  sb_puts(&t->cmd, line);
  t->busy = 1;
  sim_lab_t *lab = t->dev->lab;
  uint64_t delay = (uint64_t)lab->opt.latency_ms;
  if (lab->opt.jitter_ms > 0) delay += sim_rand(&lab->rng) % (uint64_t)lab->opt.jitter_ms;
  /* Always through the loop, so output never races the channel request's reply. */
  uv_timer_start(&t->timer, on_timer, delay, 0);
}

void term_exec(sim_term_t *t, const char *command) {
  t->exec = 1;
  t->cli.mode = MODE_PRIV;
  t->cli.paging = 0;
  start_command(t, command);
}

static void more_key(sim_term_t *t, char c) {
  t->at_more = 0;
  out_str(t, "\r                \r");
  if (c == ' ') {
    deliver(t);
  } else if (c == '\r' || c == '\n') {
    /* One more line. */
    char *nl = memchr(t->pending.data, '\n', t->pending.len);
    size_t n = nl ? (size_t)(nl - t->pending.data) + 1 : t->pending.len;
    out(t, t->pending.data, n, 0);
    sb_consume(&t->pending, n);
    if (t->pending.len) {
      out_str(t, t->dev->pers->more);
      t->at_more = 1;
    }
  } else {
    sb_clear(&t->pending);
  }
  if (!t->at_more) show_prompt(t);
}

static void end_line(sim_term_t *t) {
  out_str(t, "\r\n");
  const char *line = sb_str(&t->line);
  size_t k = strspn(line, " \t");
  if (line[k] == '\0' && !t->cli.want_secret) {
    sb_clear(&t->line);
    show_prompt(t);
    return;
  }
  sbuf_t copy;
  sb_init(&copy);
  sb_puts(&copy, line);
  sb_clear(&t->line);
  start_command(t, sb_str(&copy));
  sb_free(&copy);
}

static void process(sim_term_t *t) {
  size_t i = 0;
  while (i < t->in.len && !t->busy && !t->closed) {
    char c = t->in.data[i++];
    int was_cr = t->last_cr;
    t->last_cr = c == '\r';
    if (t->at_more) {
      if (c == '\n' && was_cr) continue;
      more_key(t, c);
      continue;
    }
    switch (c) {
    case '\n':
      if (was_cr) break;
      /* fall through */
    case '\r':
      end_line(t);
      break;
    case 0x7f:
    case 0x08:
      if (t->line.len > 0) {
        t->line.len--;
        t->line.data[t->line.len] = '\0';
        if (!t->cli.want_secret) out_str(t, "\b \b");
      }
      break;
    case 0x03: /* ^C */
    case 0x1a: /* ^Z */
      out_str(t, c == 3 ? "^C\r\n" : "^Z\r\n");
      sb_clear(&t->line);
      t->cli.want_secret = 0;
      if (t->cli.mode >= MODE_CONFIG && t->dev->pers != &sim_juniper_junos) t->cli.mode = MODE_PRIV;
      show_prompt(t);
      break;
    case 0x15: /* ^U */
      sb_clear(&t->line);
      break;
    case '\t':
    case '?':
      break;
    default:
      if ((unsigned char)c < 0x20) break;
      sb_putc(&t->line, c);
      if (!t->cli.want_secret) out(t, &c, 1, 0);
    }
  }
  sb_consume(&t->in, i);
  if (t->eof && !t->busy && !t->closed && t->in.len == 0) {
    t->io->done(t->ctx, 0);
    t->closed = 1;
  }
}

void term_input(sim_term_t *t, const char *data, size_t len) {
  if (t->closed || t->exec) return;
  sb_add(&t->in, data, len);
  process(t);
}

void term_eof(sim_term_t *t) {
  if (t->closed || t->exec) return;
  t->eof = 1;
  process(t);
}
