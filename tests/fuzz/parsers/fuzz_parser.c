/* libFuzzer target for one vendor parser (NH_FUZZ_PLATFORM, NH_FUZZ_COMMAND): loads the
 * built plugins once, then feeds each input to the parser. Any crash, leak, UB or
 * unbounded time is a bug; a parse error is an ordinary outcome. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plugin_loader.h"
#include "registry.h"
#include "value.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *arg, int level, const char *who, const char *msg) {}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  nh_plugin_set_log(quiet, NULL);
  if (nh_plugin_load_dir(NH_PLUGIN_BUILD_DIR) < 3) {
    fprintf(stderr, "fuzz: cannot load the plugins from %s\n", NH_PLUGIN_BUILD_DIR);
    abort();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  nh_value_t *v = NULL;
  char *msg = NULL;
  int rc;
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  rc = nh_registry_parse(NH_FUZZ_PLATFORM, NH_FUZZ_COMMAND, text, size, &v, &msg);
  if (rc == NH_ENOPARSER) abort(); /* the target names a parser that does not exist */
  if ((rc == 0) != (v != NULL)) abort();
  nh_value_free(v);
  free(msg);
  free(text);
  return 0;
}
