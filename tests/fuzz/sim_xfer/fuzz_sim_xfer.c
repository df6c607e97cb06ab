/* The lab's SFTP server and SCP sink and source under libFuzzer. The first byte picks the
 * service and how the input is split into reads; the second, for SFTP, whether a valid
 * INIT comes first (so the fuzzer reaches the requests). Whatever the client sends, the
 * service must answer or close, never read past a packet, and leave the flash consistent:
 * once the session is freed, the bytes the flash counts are exactly its files' bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "xfer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t written;
static int done;

static void io_write(void *ctx, const char *d, size_t len, int first) {
  (void)ctx, (void)first;
  if (len && (d[0] == 0x7f || d[len - 1] == 0x7f)) written++; /* touch the bytes */
  written += len;
}

static void io_write_shared(void *ctx, const char *d, size_t len) {
  io_write(ctx, d, len, 0);
}

static void io_done(void *ctx, int status) {
  (void)ctx, (void)status;
  done = 1;
}

static void io_nop(void *ctx) {
  (void)ctx;
}

static const sim_term_io_t io = {io_write, io_write_shared, io_done, io_nop, io_nop, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const commands[] = {"scp -t flash:", "scp -t 'flash:x'", "scp -pf x",
                                         "scp -f flash:x", "scp -d -t -- /"};
  static const uint8_t init[] = {0, 0, 0, 5, 1, 0, 0, 0, 3};
  sim_lab_t lab;
  sim_device_t dev;
  if (size < 2) return 0;
  memset(&lab, 0, sizeof lab);
  memset(&dev, 0, sizeof dev);
  lab.opt.flash_bytes = 1 << 20;
  dev.lab = &lab;
  strcpy(dev.name, "fuzz");
  /* A file to read, replace and rename. */
  sim_file_t *f = flash_create(&dev, "x", 0, 0644);
  if (flash_write(&dev, &f->blob, 0, "hello", 5)) abort();
  done = 0;
  sim_xfer_t *x;
  int kind = data[0] % 6;
  if (kind == 5) {
    x = sftp_new(&dev, &io, NULL);
    if (data[1] & 1) xfer_input(x, (const char *)init, sizeof init);
  } else {
    x = scp_new(&dev, commands[kind], &io, NULL);
    if (!x) abort();
  }
  size_t step = (size_t)(data[0] >> 3) * 7 + 1, off = 2;
  while (off < size && !done) {
    size_t n = size - off < step ? size - off : step;
    xfer_input(x, (const char *)data + off, n);
    off += n;
  }
  xfer_eof(x);
  if (!done) abort(); /* EOF always ends the session */
  xfer_free(x);
  uint64_t sum = 0;
  sim_file_t *files[64];
  size_t nf = flash_list(&dev, files, 64);
  for (size_t i = 0; i < nf; i++) sum += files[i]->blob->len;
  if (nf == flash_count(&dev) && sum != flash_used(&dev)) abort();
  if (flash_used(&dev) > lab.opt.flash_bytes) abort();
  flash_free(&dev);
  return 0;
}
