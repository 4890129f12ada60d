#!/usr/bin/env bash
# with-pg.sh: runs a command with a throwaway PostgreSQL cluster
# (scripts/pg-cluster.sh) whose socket folder is in BREACHREG_TEST_PG, and
# removes the cluster afterwards, whatever the command's outcome.
# Usage: scripts/with-pg.sh COMMAND [ARG]...   (exit status: the command's)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$("$here/pg-cluster.sh" start) || { echo "with-pg: no PostgreSQL cluster" >&2; exit 1; }
trap '"$here/pg-cluster.sh" stop "$dir"' EXIT
export BREACHREG_TEST_PG=$dir
"$@"
