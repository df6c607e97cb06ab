/* nethost core: the memory a libssh2 session holds while it waits.
 *
 * libssh2 1.10 allocates each session as one 55 KB struct, most of it two packet buffers
 * (16 KB in, 35 KB out), and zeroes all of it with memset, which makes every page resident.
 * A `show version` session touches a few KB of those buffers. So right after
 * libssh2_session_init_ex the whole pages of the struct that are still all zero go back to
 * the kernel (MADV_DONTNEED on private anonymous memory reads back as zero pages, so the
 * contents libssh2 sees are unchanged); a page comes back only when libssh2 writes to it.
 * That takes the resident memory of an idle or short session from about 55 KB to about
 * 10 KB (tests/bench/ssh prints RSS per session). */
#include "ssh_internal.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int page_is_zero(const unsigned char *p, size_t page) {
  const uint64_t *w = (const uint64_t *)(const void *)p;
  size_t i, n = page / sizeof(uint64_t);
  uint64_t acc = 0;
  for (i = 0; i < n; i++) acc |= w[i];
  return acc == 0;
}

void nh__ssh_trim_zero_pages(void *ptr, size_t len) {
  static size_t page;
  uintptr_t start, end, p, run = 0;
  if (!page) {
    long ps = sysconf(_SC_PAGESIZE);
    page = ps > 0 ? (size_t)ps : 4096;
  }
  start = ((uintptr_t)ptr + page - 1) & ~(uintptr_t)(page - 1);
  end = ((uintptr_t)ptr + len) & ~(uintptr_t)(page - 1);
  for (p = start; p < end; p += page) {
    if (page_is_zero((const unsigned char *)p, page)) {
      if (!run) run = p;
      continue;
    }
    /* Advice is only advice: a refusal leaves the memory as it was. */
    if (run) (void)madvise((void *)run, p - run, MADV_DONTNEED);
    run = 0;
  }
  if (run) (void)madvise((void *)run, end - run, MADV_DONTNEED);
}
