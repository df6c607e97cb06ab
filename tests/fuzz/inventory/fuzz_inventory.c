/* libFuzzer target: the inventory loader (YAML nethost/Ansible and INI formats) and the
 * pattern language on whatever it loaded. Any input must give an inventory or an error
 * message, never a crash, a leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "yaml_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  nh_inventory_t *inv = NULL;
  nh_ydoc_t *doc = NULL;
  nh_value_t *v = NULL;
  /* The first byte picks the name, so both the YAML and the INI readers are reached. */
  const char *name = size && (data[0] & 1) ? "fuzz" : "fuzz.yaml";
  if (nh_inventory_parse((const char *)data, size, name, "/base", &inv, err, sizeof(err)) == 0) {
    size_t *idx, n, i, plen = 0;
    char pattern[256], unmatched[256];
    if (nh_inventory_select(inv, "g*:&platform=x:!~^h", &idx, &n, err, sizeof(err)) == 0) free(idx);
    /* The input's last line is also tried as a pattern (subscripts, brackets, operators). */
    while (plen < size && plen < sizeof(pattern) - 1 && data[size - 1 - plen] != '\n') plen++;
    memcpy(pattern, data + size - plen, plen);
    pattern[plen] = '\0';
    if (pattern[0] != '@' && nh_inventory_select_ex(inv, pattern, &idx, &n, unmatched,
                                                    sizeof(unmatched), err, sizeof(err)) == 0)
      free(idx);
    for (i = 0; i < nh_inventory_count(inv) && i < 4; i++) {
      const nh_host_t *h = nh_inventory_host(inv, i);
      nh_value_free(nh_host_to_value(h, NH_HOST_SECRETS_MASKED));
      nh_value_free(nh_host_explain(inv, h));
    }
    nh_inventory_free(inv);
  }
  /* The generic YAML path (yaml.decode) too. */
  if (nh_ydoc_parse((const char *)data, size, "fuzz.yaml", &doc, err, sizeof(err)) == 0) {
    if (nh_ydoc_to_value(doc, nh_ydoc_root(doc), &v, err, sizeof(err)) == 0) nh_value_free(v);
    nh_ydoc_free(doc);
  }
  return 0;
}
