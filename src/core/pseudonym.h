/* pseudonym: stable keyed pseudonyms for people in analysis (issue 5):
 * "P-" and 12 hex digits of HMAC-SHA-256(key, staff id). The same key
 * gives the same pseudonym, so repeat subjects stay visible; without the
 * key a pseudonym cannot be turned back into a staff id (short of trying
 * every id with the key, which stays in the store). */
#ifndef BR_PSEUDONYM_H
#define BR_PSEUDONYM_H
#include "core/vocab.h"

#define PSEUDONYM_KEY_BYTES 32

/* out gets the pseudonym of staff_id ("" stays ""). */
void pseudonym_of(const unsigned char key[PSEUDONYM_KEY_BYTES], const char *staff_id,
		  char out[STAFF_MAX]);

#endif
