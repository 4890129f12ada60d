/* common: the fuzz targets' shared clock, actor and register (see
 * common.h). */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "service/accounts.h"
#include "service/registry.h"

static struct store *store;
static char dir[64], file[96];

void fuzz_init(void)
{
	alloc_install_json();
}

ts_t fuzz_now(void)
{
	ts_t t = TS_NONE;

	if (date_parse_ts("2030-03-02T10:00:00Z", &t))
		abort();
	return t;
}

const struct actor *fuzz_system(void)
{
	static struct actor a;

	if (!a.system) {
		snprintf(a.name, sizeof a.name, "cli:fuzz");
		a.system = true;
		a.roles = (1u << ROLE_COUNT) - 1;
	}
	return &a;
}

void fuzz_die(const char *msg, const struct err *e)
{
	fprintf(stderr, "fuzz: %s: %s: %s\n", msg, e ? e->field : "", e ? e->msg : "");
	abort();
}

static void add_org(const char *code, const char *parent, const char *head)
{
	struct org o;
	struct err e = {0};

	org_init(&o);
	snprintf(o.code, sizeof o.code, "%s", code);
	snprintf(o.parent, sizeof o.parent, "%s", parent);
	snprintf(o.head, sizeof o.head, "%s", head);
	o.name = xstrdup(code);
	if (registry_org_add(store, fuzz_system(), &o, fuzz_now(), &e))
		fuzz_die(code, &e);
	org_release(&o);
}

static void add_person(const char *staff_id, const char *org, const char *manager,
		       enum engagement eng)
{
	struct person p;
	struct err e = {0};

	person_init(&p);
	snprintf(p.staff_id, sizeof p.staff_id, "%s", staff_id);
	snprintf(p.org, sizeof p.org, "%s", org);
	snprintf(p.manager, sizeof p.manager, "%s", manager);
	p.engagement = eng;
	p.name = xstrdup(staff_id);
	if (registry_person_add(store, fuzz_system(), &p, fuzz_now(), &e))
		fuzz_die(staff_id, &e);
	person_release(&p);
}

static void cleanup(void)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[sizeof file + 16];

	if (store)
		store_close(store);
	store = NULL;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(p, sizeof p, "%s%s", file, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
}

struct store *fuzz_store(const char **path)
{
	struct err e = {0};

	if (!store) {
		snprintf(dir, sizeof dir, "/tmp/breachreg-fuzz-XXXXXX");
		if (!mkdtemp(dir))
			fuzz_die("mkdtemp", NULL);
		snprintf(file, sizeof file, "%s/register.db", dir);
		if (store_open(file, &store, &e) ||
		    registry_init(store, fuzz_system(), fuzz_now(), &e))
			fuzz_die(file, &e);
		atexit(cleanup);
		/* The head of unit is named before the person exists, as
		 * `org add --head` allows. */
		add_org("hmcts", "", "S1000");
		add_org("hmcts-crime", "hmcts", "");
		add_person("S1000", "hmcts", "", ENG_EMPLOYEE);
		add_person("S2001", "hmcts-crime", "S1000", ENG_EMPLOYEE);
		add_person("S2002", "hmcts-crime", "", ENG_CONTRACTOR);
		add_person("R3001", "hmcts", "", ENG_EMPLOYEE);
	}
	if (path)
		*path = file;
	return store;
}

const struct fuzz_secrets *fuzz_accounts(void)
{
	static struct fuzz_secrets sec;
	static const char password[] = "fuzz-password-long-enough";
	struct store *s;
	struct actor who;
	struct err e = {0};

	if (sec.token[0])
		return &sec;
	s = fuzz_store(NULL);
	if (accounts_add(s, fuzz_system(), "fuzz", "S1000", (1u << ROLE_COUNT) - 1, password,
			 fuzz_now(), &e) ||
	    accounts_token_create(s, fuzz_system(), "fuzz", "fuzz", fuzz_now(), sec.token, NULL,
				  &e) ||
	    accounts_login(s, "fuzz", password, fuzz_now(), sec.sid, sec.csrf, &who, &e))
		fuzz_die("fuzz account", &e);
	return &sec;
}

char *fuzz_substitute(const uint8_t *data, size_t size, size_t *len)
{
	const struct fuzz_secrets *sec = fuzz_accounts();
	const struct {
		const char *name, *value;
	} subs[] = {{"@token@", sec->token}, {"@sid@", sec->sid}, {"@csrf@", sec->csrf}};
	/* Each placeholder is at least 5 bytes and each secret at most 64. */
	char *out = xmalloc(size / 5 * 64 + size + 1);
	size_t o = 0;

	for (size_t i = 0; i < size;) {
		size_t k = 0, n = sizeof subs / sizeof subs[0];

		for (; k < n; k++) {
			size_t pl = strlen(subs[k].name);

			if (size - i >= pl && memcmp(data + i, subs[k].name, pl) == 0) {
				size_t vl = strlen(subs[k].value);

				memcpy(out + o, subs[k].value, vl);
				o += vl;
				i += pl;
				break;
			}
		}
		if (k == n)
			out[o++] = (char)data[i++];
	}
	out[o] = '\0';
	*len = o;
	return out;
}
