/* pseudonym: keyed pseudonyms (HMAC-SHA-256 through libsodium). */
#include "core/pseudonym.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void pseudonym_of(const unsigned char key[PSEUDONYM_KEY_BYTES], const char *staff_id,
		  char out[STAFF_MAX])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char hex[2 * 6 + 1];

	if (!staff_id || !*staff_id) {
		out[0] = '\0';
		return;
	}
	crypto_auth_hmacsha256(mac, (const unsigned char *)staff_id, strlen(staff_id), key);
	sodium_bin2hex(hex, sizeof hex, mac, 6);
	snprintf(out, STAFF_MAX, "P-%s", hex);
}
