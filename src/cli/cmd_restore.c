/* restore: replaces the register at --db with a copy made by `backup`,
 * once the copy has shown itself to be a whole breachreg register.
 *
 * The rule: stop the server (and every other breachreg process on the
 * register) first. A register that some process has open is refused.
 *
 * How (each step so that a failure or a crash at any point leaves either
 * the old register or the new one, never a mixture, and FILE untouched):
 *  1. FILE is checked without opening it as a database: a regular file
 *     with SQLite's header and breachreg's application id, no process
 *     holding it, no log beside it (-wal, -journal) with changes not in
 *     it.
 *  2. It is copied (and hashed) to a private temporary file beside the
 *     target, so that the final rename stays on one file system.
 *  3. The temporary copy is opened as a store (migrated if it is older)
 *     and must verify: the audit chain (registry_audit_verify) and the
 *     rollups against a recount (which also reads every incident). In
 *     one transaction its web sessions end (everyone signs in again) and
 *     the restore is audited in it ("register.restore", entity the
 *     SHA-256 of FILE's bytes); the store is closed, which folds its log
 *     into the file; the file is fsync'd.
 *  4. The target's stale -wal, -journal and -shm are removed, then the
 *     copy is renamed over the target, and the directory fsync'd.
 *     Removing them first matters: a log left beside the new file would
 *     be replayed into it on the next open (a log names no database). A
 *     crash between the two leaves the old file without its log:
 *     consistent, short of changes the restore was discarding anyway.
 * Exit 2 naming "file" when FILE is not a register that verifies (or
 * "db" for an unusable --db), 1 for runtime failures (a register in use
 * among them). A refusal changes nothing.
 *
 * SQLite's file format is known here (the header, the lock bytes, the
 * names of the files beside a database) because restoring is a file
 * operation; with a second backend this belongs behind the store's
 * vtable. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "service/registry.h"
#include "store/store.h"

/* PRAGMA application_id of a breachreg database ("BReg"), as
 * store_sqlite.c's migration 1 writes it. */
#define RESTORE_APPLICATION_ID 0x42526567u
#define SQLITE_HEADER_SIZE     100
/* SQLite's lock bytes: the pending byte, the reserved byte and 510 shared
 * bytes, at 1 GiB. A process with the database open in WAL mode holds a
 * shared lock there all along (in other modes, during transactions). */
#define SQLITE_LOCK_START 0x40000000
#define SQLITE_LOCK_LEN	  512
/* 9999-12-31T23:59:59Z: a session purge with this idle bound ends all. */
#define RESTORE_EVERY_SESSION ((ts_t)253402300799)
/* The files SQLite keeps beside a database with changes not in it. */
static const char *const logs[] = {"-wal", "-journal"};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The pid of a process holding SQLite's locks on path (0 if none); errors
 * name field. A probe (F_GETLK) takes no lock itself, and sees other
 * processes only (this one holds none: it never opens path as a database). */
static int holder(const char *path, const char *field, pid_t *pid, struct err *e)
{
	struct flock fl = {.l_type = F_WRLCK,
			   .l_whence = SEEK_SET,
			   .l_start = SQLITE_LOCK_START,
			   .l_len = SQLITE_LOCK_LEN};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	*pid = 0;
	if (fd < 0)
		return errno == ENOENT ? 0
				       : err_set(e, ERR_RUNTIME, field, "cannot open \"%s\": %s",
						 path, strerror(errno));
	if (fcntl(fd, F_GETLK, &fl) < 0) {
		err_set(e, ERR_RUNTIME, field, "cannot probe the locks of \"%s\": %s", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (fl.l_type != F_UNLCK)
		*pid = fl.l_pid;
	return 0;
}

static int not_in_use(const char *target, struct err *e)
{
	pid_t pid;
	if (holder(target, "db", &pid, e))
		return -1;
	if (pid)
		return err_set(
		    e, ERR_RUNTIME, "db",
		    "register \"%s\" is in use (pid %ld): stop the server before restoring", target,
		    (long)pid);
	return 0;
}

/* Step 1 on the open FILE. */
static int check_file(int fd, const char *file, struct err *e)
{
	unsigned char h[SQLITE_HEADER_SIZE];
	char wal[4096];
	struct stat st;
	uint32_t page;
	pid_t pid;
	ssize_t n;

	if (fstat(fd, &st))
		return err_set(e, ERR_RUNTIME, "file", "cannot stat \"%s\": %s", file,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, ERR_INVALID, "file", "\"%s\" is not a regular file", file);
	n = pread(fd, h, sizeof h, 0);
	if (n < 0)
		return err_set(e, ERR_RUNTIME, "file", "cannot read \"%s\": %s", file,
			       strerror(errno));
	if (n < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
		return err_set(e, ERR_INVALID, "file", "\"%s\" is not a breachreg database", file);
	if (be32(h + 68) != RESTORE_APPLICATION_ID || be32(h + 60) == 0)
		return err_set(e, ERR_INVALID, "file",
			       "\"%s\" is a SQLite database but not a breachreg register", file);
	/* A copy cut short: not a whole number of pages, or fewer than its
	 * header counts (when that count is valid: change counter equal to
	 * the version-valid-for number). */
	page = (uint32_t)h[16] << 8 | h[17];
	if (page == 1)
		page = 65536;
	if (page < 512 || (page & (page - 1)) || st.st_size % page ||
	    (be32(h + 24) == be32(h + 92) && (uint64_t)st.st_size < (uint64_t)be32(h + 28) * page))
		return err_set(e, ERR_INVALID, "file", "\"%s\" is truncated or damaged", file);
	if (holder(file, "file", &pid, e))
		return -1;
	if (pid)
		return err_set(e, ERR_RUNTIME, "file",
			       "\"%s\" is open in another process (pid %ld): stop it first", file,
			       (long)pid);
	/* A log beside it (write-ahead, or a rollback journal left by a
	 * crash) holds what the file alone does not say. */
	for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
		snprintf(wal, sizeof wal, "%s%s", file, logs[i]);
		if (stat(wal, &st) == 0 && st.st_size > 0)
			return err_set(e, ERR_INVALID, "file",
				       "\"%s\" is not whole without \"%s\" beside it: open it once "
				       "(breachreg --db %s audit verify) to fold that in",
				       file, wal, file);
	}
	return 0;
}

/* Step 2: in to out, whole, hashed, and on disk. */
static int copy_file(int in, int out, const char *file, const char *tmp, char hex[65],
		     int64_t *bytes, struct err *e)
{
	crypto_hash_sha256_state h;
	unsigned char sum[crypto_hash_sha256_BYTES];
	unsigned char *buf = xmalloc(1 << 16);
	int ret = -1;
	ssize_t n;

	*bytes = 0;
	crypto_hash_sha256_init(&h);
	while ((n = read(in, buf, 1 << 16)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, ERR_RUNTIME, "file", "cannot read \"%s\": %s", file,
				strerror(errno));
			goto out;
		}
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				err_set(e, ERR_RUNTIME, "db", "cannot write \"%s\": %s", tmp,
					strerror(errno));
				goto out;
			}
			off += w;
		}
		*bytes += n;
	}
	if (fsync(out)) {
		err_set(e, ERR_RUNTIME, "db", "cannot sync \"%s\": %s", tmp, strerror(errno));
		goto out;
	}
	crypto_hash_sha256_final(&h, sum);
	sodium_bin2hex(hex, 65, sum, sizeof sum);
	ret = 0;
out:
	free(buf);
	return ret;
}

static int sync_path(const char *path, int flags, struct err *e)
{
	int fd = open(path, flags | O_CLOEXEC);
	int ret = 0;
	if (fd < 0 || fsync(fd))
		ret =
		    err_set(e, ERR_RUNTIME, "db", "cannot sync \"%s\": %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Removes path's logs and shared-memory index (absent is fine). */
static int unlink_logs(const char *path, struct err *e)
{
	static const char *const suffix[] = {"-wal", "-journal", "-shm"};
	char name[4096];
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(name, sizeof name, "%s%s", path, suffix[i]);
		if (unlink(name) && errno != ENOENT)
			return err_set(e, ERR_RUNTIME, "db", "cannot remove \"%s\": %s", name,
				       strerror(errno));
	}
	return 0;
}

struct restored {
	int64_t entries, incidents;
};

/* An error about the temporary copy, told about FILE (whose name the
 * user knows; the copy is gone by the time they read it). */
static int file_err(struct err *e, const struct err *inner, const char *tmp, const char *file,
		    const char *what)
{
	char msg[sizeof inner->msg + 256];
	const char *at = strstr(inner->msg, tmp);
	if (at)
		snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - inner->msg), inner->msg, file,
			 at + strlen(tmp));
	else
		snprintf(msg, sizeof msg, "%s", inner->msg);
	return err_set(e, ERR_INVALID, "file", "\"%s\": %s: %s%s%s", file, what, inner->field,
		       inner->field[0] ? ": " : "", msg);
}

/* Step 3: the temporary copy must verify as a register; the restore is
 * audited in it. Failures to verify are the file's (ERR_INVALID "file"). */
static int verify_and_mark(struct cli *c, const char *tmp, const char *file, const char *sha256,
			   int64_t bytes, struct restored *out, struct err *e)
{
	struct cli tc = *c;
	struct err ie = {0};
	struct audit_entry ae = {0};
	struct actor a;
	struct store *s;
	int64_t diff = 0, ended = 0;
	bool txn = false;
	int ret = -1;

	tc.db = tmp;
	tc.store = NULL;
	if (!(s = cli_store(&tc, &ie))) {
		file_err(e, &ie, tmp, file, "not a usable breachreg register");
		goto out;
	}
	if (registry_audit_verify(s, &out->entries, &ie)) {
		file_err(e, &ie, tmp, file, "its audit chain does not verify");
		goto out;
	}
	if (registry_rollup_verify(s, &out->incidents, &diff, &ie)) {
		file_err(e, &ie, tmp, file, "its trend rollups cannot be checked");
		goto out;
	}
	if (diff) {
		err_set(e, ERR_INVALID, "file",
			"\"%s\": its trend rollups disagree with a recount of its %lld incidents",
			file, (long long)out->incidents);
		goto out;
	}
	if (s->ops->begin(s, e))
		goto out;
	txn = true;
	/* Web sessions end: one signed out since the copy was made must not
	 * come back. API tokens stay as the copy has them. */
	if (s->ops->session_purge(s, c->now, RESTORE_EVERY_SESSION, &ended, e))
		goto out;
	cli_actor(c, &a);
	ae.at = c->now;
	snprintf(ae.actor, sizeof ae.actor, "%s", a.name);
	snprintf(ae.action, sizeof ae.action, "register.restore");
	snprintf(ae.entity, sizeof ae.entity, "%s", sha256);
	/* The file by its full name: the entry outlives the working directory. */
	char *full = realpath(file, NULL);
	ae.detail = audit_detail(json_pack(
	    "{s:s, s:s, s:I, s:I, s:I, s:I}", "file", full ? full : file, "sha256", sha256, "bytes",
	    (json_int_t)bytes, "audit_entries", (json_int_t)out->entries, "incidents",
	    (json_int_t)out->incidents, "sessions_ended", (json_int_t)ended));
	free(full);
	if (s->ops->audit_append(s, &ae, e) || s->ops->commit(s, e))
		goto out;
	txn = false;
	ret = 0;
out:
	if (txn)
		s->ops->rollback(s);
	audit_entry_release(&ae);
	/* The last connection's close folds the log into the file. */
	store_close(tc.store);
	return ret;
}

CLI_COMMAND(restore)
{
	struct err e = {0};
	struct restored r = {0};
	struct stat fst, tst;
	char *target = NULL, *dir = NULL, *tmp = NULL, *name = NULL;
	char sha256[65];
	int64_t bytes = 0;
	int in = -1, out = -1, ret = EXIT_RUNTIME;
	bool exists, made = false;

	if (argc != 2)
		return cli_usage("restore", "restore FILE");
	const char *file = argv[1];
	const char *db = c->db;
	if (strncmp(db, "sqlite:", 7) == 0)
		db += 7;
	if (strstr(db, "://") || strcmp(db, ":memory:") == 0 || strncmp(db, "file:", 5) == 0) {
		err_set(&e, ERR_INVALID, "db",
			"restore replaces a register file; \"%s\" is not one", cli_db_shown(c));
		goto fail;
	}
	/* Through a symbolic link, the file it names is replaced. */
	if (lstat(db, &tst) == 0 && S_ISLNK(tst.st_mode)) {
		if (!(target = realpath(db, NULL))) {
			err_set(&e, ERR_INVALID, "db", "cannot resolve \"%s\": %s", db,
				strerror(errno));
			goto fail;
		}
	} else {
		target = xstrdup(db);
	}
	exists = stat(target, &tst) == 0;
	if (exists && !S_ISREG(tst.st_mode)) {
		err_set(&e, ERR_INVALID, "db", "\"%s\" is not a regular file", target);
		goto fail;
	}

	if ((in = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(&e, ERR_INVALID, "file", "cannot open \"%s\": %s", file, strerror(errno));
		goto fail;
	}
	if (check_file(in, file, &e))
		goto fail;
	if (exists && fstat(in, &fst) == 0 && fst.st_dev == tst.st_dev &&
	    fst.st_ino == tst.st_ino) {
		err_set(&e, ERR_INVALID, "file", "\"%s\" is the register itself", file);
		goto fail;
	}
	if (not_in_use(target, &e))
		goto fail;

	tmp = xmalloc(strlen(target) + sizeof ".restore-XXXXXX");
	sprintf(tmp, "%s.restore-XXXXXX", target);
	if ((out = mkstemp(tmp)) < 0) {
		err_set(&e, ERR_RUNTIME, "db", "cannot create a file beside \"%s\": %s", target,
			strerror(errno));
		goto fail;
	}
	made = true;
	/* mkstemp made it 0600, as a new register is (OFFICIAL-SENSITIVE). A
	 * register replaced keeps its owner (when we may give it) and mode,
	 * so that the account that serves it still can. */
	if (exists && ((fchown(out, tst.st_uid, tst.st_gid) && errno != EPERM) ||
		       fchmod(out, tst.st_mode & 0777))) {
		err_set(&e, ERR_RUNTIME, "db",
			"cannot give \"%s\" the owner and mode of \"%s\": %s", tmp, target,
			strerror(errno));
		goto fail;
	}
	if (copy_file(in, out, file, tmp, sha256, &bytes, &e))
		goto fail;
	close(out);
	out = -1;
	if (verify_and_mark(c, tmp, file, sha256, bytes, &r, &e))
		goto fail;
	name = xmalloc(strlen(tmp) + sizeof "-wal");
	sprintf(name, "%s-wal", tmp);
	if (access(name, F_OK) == 0) {
		err_set(&e, ERR_RUNTIME, "db", "the log of \"%s\" was not folded into it", tmp);
		goto fail;
	}
	if (sync_path(tmp, O_RDONLY, &e))
		goto fail;

	/* Step 4, after one more look: nothing opened the target meanwhile. */
	if (not_in_use(target, &e))
		goto fail;
	dir = xstrdup(target);
	if (unlink_logs(target, &e) || sync_path(dirname(dir), O_RDONLY | O_DIRECTORY, &e))
		goto fail;
	if (rename(tmp, target)) {
		err_set(&e, ERR_RUNTIME, "db", "cannot replace \"%s\": %s", target,
			strerror(errno));
		goto fail;
	}
	made = false;
	free(dir);
	dir = xstrdup(target);
	if (sync_path(dirname(dir), O_RDONLY | O_DIRECTORY, &e))
		goto fail;

	if (c->json)
		cli_print_json(json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "restored", c->db,
					 "from", file, "sha256", sha256, "bytes", (json_int_t)bytes,
					 "audit_entries", (json_int_t)r.entries, "incidents",
					 (json_int_t)r.incidents));
	else
		printf("restored %s from %s (sha256 %s): audit chain of %lld entries and rollups "
		       "of %lld incidents verified\n",
		       c->db, file, sha256, (long long)r.entries, (long long)r.incidents);
	ret = EXIT_OK;
	goto out;
fail:
	ret = cli_fail(&e);
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (made) {
		unlink(tmp);
		unlink_logs(tmp, NULL);
	}
	free(name);
	free(dir);
	free(tmp);
	free(target);
	return ret;
}
