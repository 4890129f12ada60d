#!/usr/bin/env bash
# Installs the Debian packages breachreg builds, tests and benchmarks with,
# only those missing, so `make run` and `make test` work on a fresh machine.
# Usage: scripts/deps.sh [build|test|bench]...   (build is always included)
set -euo pipefail

# libpq-dev: the PostgreSQL backend (src/store/store_pgsql.c).
pkgs=(build-essential cmake pkg-config libjansson-dev libsqlite3-dev libsodium-dev libmicrohttpd-dev libxlsxwriter-dev sqlite3 libpq-dev)
# The build installs GOV.UK Frontend and MoJ Frontend with npm (web/); keep
# a node and npm already on the machine, else Debian's.
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
for want in "$@"; do
	case "$want" in
	build) ;;
	# chromium: the browser tests (tests/web) drive Debian's, never a downloaded one.
	# postgresql, python3-psycopg2: the throwaway cluster and the suites' reads on it.
	test) pkgs+=(libcmocka-dev python3 python3-jsonschema cppcheck clang-tidy clang libclang-rt-dev valgrind chromium postgresql python3-psycopg2) ;;
	bench) pkgs+=(hyperfine time valgrind wrk nginx-light) ;;
	*) echo "deps.sh: unknown set \"$want\"" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
