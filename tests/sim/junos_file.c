/* The Junos personality's file commands: `show system storage`, `file list`, `file
 * checksum` and `file delete`, over the device's flash (flash.h).
 *
 * Paths: the flash is Junos's /var/tmp. "/var/tmp/NAME" names the flash file NAME here as
 * over SFTP and SCP (flash_name strips "/var/tmp/"), so `file list /var/tmp/` shows what a
 * transfer to /var/tmp/NAME (or flash:NAME) wrote. Other folders exist but are empty, as
 * far as the lab knows. `show system storage` prints the df -h style table Junos 15.1 and
 * later print (FreeBSD humanized sizes, /var mounted on /.mount/var); the /.mount/var row
 * is the flash, the other rows are constants. */
#include "junos_file.h"
#include "flash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const junos_file_patterns[] = {"show system storage", "file list ...",
                                           "file checksum md5 *", "file checksum sha-256 *",
                                           "file delete *",       NULL};

/* Sizes as FreeBSD's humanize_number prints them for df -h: at most three digits and a
 * unit letter, one decimal below 10 ("8.0M", "598M", "1.9G", "0B"). */
static void human(uint64_t v, char *buf, size_t n) {
  static const char units[] = "BKMGTP";
  double x = (double)v;
  int u = 0;
  while (x >= 999.5 && u < 5) x /= 1024, u++;
  if (u == 0)
    snprintf(buf, n, "%lluB", (unsigned long long)v);
  else if (x < 9.95)
    snprintf(buf, n, "%.1f%c", x, units[u]);
  else
    snprintf(buf, n, "%.0f%c", x, units[u]);
}

static void storage_row(sbuf_t *out, const char *fs, uint64_t size, uint64_t used,
                        const char *mount) {
  char s[16], u[16], a[16];
  human(size, s, sizeof s);
  human(used, u, sizeof u);
  human(size - used, a, sizeof a);
  sb_printf(out, "%-22s %6s %10s %10s %8d%%  %s\n", fs, s, u, a,
            size ? (int)((used * 100 + size - 1) / size) : 0, mount);
}

static void show_storage(sim_cli_t *cli, sbuf_t *out) {
  const uint64_t G = 1024ull * 1024 * 1024;
  sb_puts(out, "Filesystem              Size       Used      Avail  Capacity  Mounted on\n");
  storage_row(out, "/dev/gpt/junos", 2 * G, 1288490189ull, "/.mount");
  storage_row(out, "tmpfs", G, 36864, "/.mount/tmp");
  storage_row(out, "/dev/gpt/var", flash_capacity(cli->dev), flash_used(cli->dev), "/.mount/var");
  storage_row(out, "devfs", 1024, 1024, "/dev");
}

/* The flash file name of a Junos path under /var/tmp, or -1 (another folder, or deeper). */
static int tmp_name(const char *path, char *name, size_t n) {
  if (strncmp(path, "/var/tmp", 8) != 0 || (path[8] != '/' && path[8] != 0)) return -1;
  return flash_name(path, name, n);
}

static void file_list(sim_cli_t *cli, const char *path, int detail, sbuf_t *out) {
  char name[256];
  if (tmp_name(path, name, sizeof name) < 0) {
    sb_printf(out, "%s: No such file or directory\n", path);
    cli->error = 1;
    return;
  }
  size_t n = flash_count(cli->dev);
  sim_file_t **files = sim_calloc(n + 1, sizeof *files);
  n = flash_list(cli->dev, files, n);
  if (*name) { /* one file */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (!strcmp(files[i]->name, name)) files[k++] = files[i];
    n = k;
    if (!n) {
      sb_printf(out, "%s: No such file or directory\n", path);
      cli->error = 1;
      free(files);
      return;
    }
  } else {
    sb_puts(out, "/var/tmp/:\n");
  }
  uint64_t blocks = 0;
  for (size_t i = 0; i < n; i++) blocks += (files[i]->blob->len + 511) / 512;
  if (detail && !*name) sb_printf(out, "total blocks: %llu\n", (unsigned long long)blocks);
  for (size_t i = 0; i < n; i++) {
    const sim_file_t *f = files[i];
    if (detail) {
      struct tm tm;
      char when[32];
      gmtime_r(&f->mtime, &tm);
      strftime(when, sizeof when, "%b %e %H:%M", &tm);
      sb_printf(out, "-rw-r--r--  1 admin  wheel  %10zu %s %s%s\n", f->blob->len, when,
                *name ? "/var/tmp/" : "", f->name);
    } else {
      sb_printf(out, "%s%s\n", *name ? "/var/tmp/" : "", f->name);
    }
  }
  if (detail && !*name) sb_printf(out, "total files: %zu\n", n);
  free(files);
}

static void file_checksum(sim_cli_t *cli, const char *alg, const char *label, const char *path,
                          sbuf_t *out) {
  char name[256], hex[2 * 64 + 1];
  const sim_file_t *f = NULL;
  if (tmp_name(path, name, sizeof name) == 0 && *name) f = flash_find(cli->dev, name);
  if (!f || flash_digest(f->blob, alg, hex, sizeof hex) < 0) {
    sb_printf(out, "error: could not resolve file: %s\n", path);
    cli->error = 1;
    return;
  }
  sb_printf(out, "%s (%s) = %s\n", label, path, hex);
}

static void file_delete(sim_cli_t *cli, const char *path, sbuf_t *out) {
  char name[256];
  if (tmp_name(path, name, sizeof name) < 0 || !*name || flash_remove(cli->dev, name) < 0) {
    sb_printf(out, "rm: %s: No such file or directory\n", path);
    cli->error = 1;
  }
}

int junos_file_command(sim_cli_t *cli, const char *line, char **tok, int n, sbuf_t *out) {
  if (n == 3 && cli_match(line, "show system storage")) {
    show_storage(cli, out);
    return 1;
  }
  if (n < 2 || !cli_match(tok[0], "file")) return 0;
  if (cli_match(tok[1], "list") && n <= 4) {
    const char *path = n >= 3 && !cli_match(tok[2], "detail") ? tok[2] : "/var/tmp/";
    int detail = cli_match(tok[n - 1], "detail") && n >= 3;
    if (n == 4 && !detail) return 0;
    file_list(cli, path, detail, out);
    return 1;
  }
  if (n == 4 && cli_match(tok[1], "checksum")) {
    if (!strcmp(tok[2], "md5"))
      file_checksum(cli, "md5", "MD5", tok[3], out);
    else if (!strcmp(tok[2], "sha-256"))
      file_checksum(cli, "sha256", "SHA256", tok[3], out);
    else
      return 0;
    return 1;
  }
  if (n == 3 && cli_match(tok[1], "delete")) {
    file_delete(cli, tok[2], out);
    return 1;
  }
  return 0;
}
