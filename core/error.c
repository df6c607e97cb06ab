/* nethost core: the error table. */
#include "error.h"

const char *nh_strerror(int err) {
  switch (err) {
#define NH_STRERROR_CASE(name, value, msg) \
  case NH_##name:                          \
    return msg;
    NH_ERRNO_MAP(NH_STRERROR_CASE)
#undef NH_STRERROR_CASE
  }
  return uv_strerror(err);
}

const char *nh_err_name(int err) {
  switch (err) {
#define NH_ERR_NAME_CASE(name, value, msg) \
  case NH_##name:                          \
    return #name;
    NH_ERRNO_MAP(NH_ERR_NAME_CASE)
#undef NH_ERR_NAME_CASE
  }
  return uv_err_name(err);
}
