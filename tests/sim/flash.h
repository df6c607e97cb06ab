/* A device's flash: the files SFTP and SCP put there and `dir flash:` lists (flash.c).
 *
 * Files live in memory. A device's flash is created at its first write (a lab of
 * thousands of devices allocates nothing for the ones never written to) and holds at most
 * the lab's --flash-mb; every byte held counts, including a removed or replaced file that
 * a transfer still has open, so the memory a device can hold is bounded by that cap. The
 * flash is flat: one directory, the root. */
#ifndef SIM_FLASH_H
#define SIM_FLASH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sim.h"

typedef struct sim_flash sim_flash_t;

/* A file's bytes, shared by the directory entry and the transfers that have it open. A
 * blob that someone reads by reference (SCP sending it) is never written in place: a
 * writer gets a copy first (see flash_write). */
typedef struct sim_blob {
  unsigned refs;
  unsigned readers; /* references that point into data (SCP source) */
  size_t len, cap;
  char *data;
  sim_flash_t *flash; /* whose usage it counts in */
} sim_blob_t;

typedef struct sim_file {
  struct sim_file *next;
  char *name;
  sim_blob_t *blob;
  time_t mtime;
  uint32_t mode; /* permission bits */
} sim_file_t;

/* The capacity of every device's flash in bytes (from --flash-mb). */
uint64_t flash_capacity(const sim_device_t *dev);
/* Bytes held (the files and the open copies of removed ones). */
uint64_t flash_used(const sim_device_t *dev);

/* Turns a client's path into a file name: strips "flash:", "/var/tmp/" (Junos), slashes and
 * "./" before it.
 * Returns 0 with the name in out (empty for the root directory), or -1 when the path
 * names something deeper than the root (the flash has no folders) or is too long. */
int flash_name(const char *path, char *out, size_t outsz);

/* The file named name, or NULL. */
sim_file_t *flash_find(sim_device_t *dev, const char *name);
/* Files in name order: fills up to max pointers, returns the count. */
size_t flash_list(sim_device_t *dev, sim_file_t **out, size_t max);
size_t flash_count(sim_device_t *dev);
/* Creates the file (empty) or, with truncate, empties an existing one. Returns the file. */
sim_file_t *flash_create(sim_device_t *dev, const char *name, int truncate, uint32_t mode);
/* Removes the file (its blob lives on while transfers hold it). -1 when there is none. */
int flash_remove(sim_device_t *dev, const char *name);
/* Renames from to to, replacing to. -1 when from does not exist. */
int flash_rename(sim_device_t *dev, const char *from, const char *to);

sim_blob_t *flash_blob_ref(sim_blob_t *b);
/* The blob's bytes, followed by a NUL (so len + 1 bytes may be sent: SCP ends a file with
 * a zero byte). Valid while the blob is referenced and, with readers > 0, never moved. */
const char *flash_bytes(const sim_blob_t *b);
void flash_blob_unref(sim_blob_t *b);
/* Writes len bytes at off into *bp, zero-filling a gap. When someone reads the blob by
 * reference, the writer first gets a private copy (and a file entry still pointing to the
 * old blob follows it). Returns 0, or -1 when the flash would exceed its capacity. */
int flash_write(sim_device_t *dev, sim_blob_t **bp, uint64_t off, const void *data, size_t len);

/* Cuts or extends (with zeros) *bp to size bytes, as flash_write. */
int flash_truncate(sim_device_t *dev, sim_blob_t **bp, uint64_t size);

/* The blob's digest in lower-case hex ("md5", "sha256" or "sha512"); -1 for another. */
int flash_digest(const sim_blob_t *b, const char *alg, char *hex, size_t hexsz);

/* Frees the device's flash (the lab is going away; no transfer is open). */
void flash_free(sim_device_t *dev);

#endif
