/* common: what the fuzz targets share: the libFuzzer entry points, the
 * fixed clock the tests use, and a throwaway register to run services
 * against. Harness code: it aborts when its own setup fails, since no
 * input can be judged without it. */
#ifndef BR_FUZZ_COMMON_H
#define BR_FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>

#include "core/account.h"
#include "core/authz.h"
#include "core/date.h"
#include "store/store.h"

/* libFuzzer calls these (no header of its own declares them). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* What main() does first (jansson allocating through xmalloc): each
 * target's LLVMFuzzerInitialize calls it. */
void fuzz_init(void);

/* The tests' clock (tests/cli/helpers.py): 2030-03-02T10:00:00Z. */
ts_t fuzz_now(void);

/* The local system administrator, as the CLI's actor: every power. */
const struct actor *fuzz_system(void);

/* Aborts with msg and e's field and message. */
void fuzz_die(const char *msg, const struct err *e) __attribute__((noreturn));

/* The register every call returns (made on the first): a file in a new
 * mkdtemp directory under /tmp, initialised (root and baseline guidance)
 * with the world of tests/cli/test_import.py: organisations hmcts (head
 * S1000) and hmcts-crime below it; people S1000, S2001 (hmcts-crime),
 * S2002 (a contractor), R3001. Owned here; closed and removed at exit.
 * The path of its file is in *path when path is not NULL. */
struct store *fuzz_store(const char **path);

/* An account "fuzz" (person S1000, every role) in fuzz_store(), with an
 * API token and a signed-in session: what requests carry to get past
 * authentication. Made on the first call (the sign-in costs one Argon2id). */
struct fuzz_secrets {
	char token[ACCOUNT_TOKEN_BUF];
	char sid[ACCOUNT_SID_BUF];
	char csrf[ACCOUNT_CSRF_BUF];
};
const struct fuzz_secrets *fuzz_accounts(void);

/* A copy of data with each "@token@", "@sid@" and "@csrf@" replaced by
 * the secret of fuzz_accounts(), so committed seeds (and the fuzzer,
 * through the dictionaries) can name secrets made afresh each run. The
 * result is malloc'd, NUL-terminated, its length in *len. */
char *fuzz_substitute(const uint8_t *data, size_t size, size_t *len);

#endif
