/* openapi: the API's OpenAPI 3.1 document (web/openapi.json), embedded in
 * the binary at build time by cmake/embed.cmake. */
#ifndef BR_OPENAPI_H
#define BR_OPENAPI_H
#include <stddef.h>

extern const char openapi_json[];
extern const size_t openapi_json_len;

#endif
