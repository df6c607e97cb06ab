/* libFuzzer target: the TextFSM engine. The input is a template, optionally followed by a
 * NUL byte and the text to parse (without one, a fixed text is parsed). Loading and
 * parsing must never crash, leak or read out of bounds, whatever the bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "textfsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *in = (const char *)data;
  const char *nul = memchr(in, '\0', size);
  size_t tlen = nul ? (size_t)(nul - in) : size;
  const char *text = nul ? nul + 1 : "Interface Gi0/1 is up\n  mtu 1500\n\xff\r\nx\n";
  size_t len = nul ? size - tlen - 1 : strlen(text);
  char err[512];
  nh_tfsm_template_t *t = NULL;
  if (nh_tfsm_template_load("fuzz", in, tlen, &t, err, sizeof err) == 0) {
    nh_tfsm_table_t *tab = NULL;
    if (nh_tfsm_parse(t, text, len, &tab, err, sizeof err) == 0) nh_tfsm_table_free(tab);
    nh_tfsm_template_free(t);
  }
  return 0;
}
