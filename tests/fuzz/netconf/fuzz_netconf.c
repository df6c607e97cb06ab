/* NETCONF framing and the XML parser under libFuzzer. The first byte picks the framing and
 * how the input is split into reads; every complete message goes through the safe XML
 * parser. Any input must end in messages or a clean error, and a framer never hands out
 * more bytes than it was fed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "netconf_frame.h"
#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nh_nc_framer_t f;
  size_t off = 1, step, fed = 0, out = 0;
  if (size < 1) return 0;
  nh_nc_framer_init(&f, 1 << 16);
  f.chunked = data[0] & 1;
  step = (size_t)(data[0] >> 1) + 1;
  while (off < size) {
    size_t piece = size - off < step ? size - off : step, pos = 0;
    while (pos < piece) {
      size_t used, len;
      int rc = nh_nc_framer_feed(&f, (const char *)data + off + pos, piece - pos, &used);
      if (used > piece - pos) abort();
      pos += used;
      fed += used;
      if (rc < 0) {
        if (rc != NH_EPROTO && rc != NH_ETOOBIG) abort();
        if (!f.error[0]) abort();
        goto done;
      }
      if (rc == 1) {
        char err[256];
        char *m = nh_nc_framer_take(&f, &len);
        xmlDocPtr doc;
        if (!m || strlen(m) > len) abort(); /* NULs inside are allowed; beyond len never */
        out += len;
        if (out > fed) abort();
        doc = nh_xml_parse(m, len, err, sizeof(err));
        if (doc)
          xmlFreeDoc(doc);
        else if (!err[0])
          abort();
        /* The first message may switch the framing, as a hello does. */
        if (data[0] & 2) f.chunked = !f.chunked;
        free(m);
      }
    }
    off += piece;
  }
done:
  nh_nc_framer_free(&f);
  return 0;
}
