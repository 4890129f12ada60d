#!/usr/bin/env bash
# pg-cluster.sh: a throwaway PostgreSQL cluster for the tests, in a temp
# folder, listening on a Unix socket in that folder only (no TCP port).
#   scripts/pg-cluster.sh start        prints the folder; the cluster's base URL
#                                      is in FOLDER/url (database "breachreg")
#   scripts/pg-cluster.sh stop FOLDER  stops it and removes the folder
# initdb refuses to run as root: as root the cluster belongs to the
# "postgres" user the Debian package creates. fsync is off: the data is
# thrown away after the run, and the tests measure behaviour, not disks.
set -euo pipefail

bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	done
	command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
	echo "pg-cluster: no initdb (apt-get install postgresql)" >&2
	exit 1
}

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "${1:-}" in
start)
	BIN=$(bindir)
	DIR=$(mktemp -d /tmp/br-pg.XXXXXX)
	chmod 755 "$DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$DIR"
	as_owner "$BIN/initdb" -D "$DIR/data" -A trust -U breachreg -E UTF8 --locale=C.UTF-8 \
		>"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
	as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
		-o "-k $DIR -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
	as_owner "$BIN/createdb" -h "$DIR" -U breachreg breachreg
	echo "postgres://breachreg@/breachreg?host=$DIR" >"$DIR/url"
	echo "$DIR"
	;;
stop)
	DIR=${2:?usage: pg-cluster.sh stop FOLDER}
	case "$DIR" in /tmp/br-pg.*) ;; *) echo "pg-cluster: not a cluster folder: $DIR" >&2; exit 2 ;; esac
	BIN=$(bindir)
	[ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$DIR"
	;;
*)
	echo "usage: pg-cluster.sh start | stop FOLDER" >&2
	exit 2
	;;
esac
