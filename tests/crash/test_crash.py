#!/usr/bin/env python3
"""Crash safety (SPEC 7: every write one transaction; issue 7 item 2): a
real `breachreg serve` on an `init --demo` register takes concurrent writes
from several threads (reports, and transitions, assessments and decisions
on them, as the security account) and is killed with SIGKILL at a random
moment; it is restarted on the same database and the register must hold:

- every acknowledged write (a 2xx was received): the incident as sent,
  with its types and subjects, under the reference it was given; each
  acknowledged transition, assessment and decision;
- nothing half-written: an incident has all of its report rows and its
  report entry in the audit log or none of them, a decision never exists
  without its audit entry (also read back through GET /api/v1/audit?ref=
  for the incidents touched in the round), and every incident of ours
  comes from exactly one request that was sent;
- `audit verify` and `trends verify` pass; references and notice numbers
  are gap-free per year.

Usage: python3 tests/crash/test_crash.py BINARY [-k NAME]...
BREACHREG_CRASH_ROUNDS (default 20) and BREACHREG_CRASH_SEED (printed)
repeat a run's shape (thread scheduling is the machine's). Ends with one
line 'N passed, N failed'; exits 1 if anything failed."""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_helpers import (Ledger, Load, Runner, acknowledged, audit_over_http,  # noqa: E402
                           cli_verify, demo_instance, fail, kill9, people_by_org, resync, whole)

ROUNDS = int(os.environ.get("BREACHREG_CRASH_ROUNDS", "20"))
SEED = int(os.environ.get("BREACHREG_CRASH_SEED") or random.randrange(1 << 31))
THREADS = 6
# A burst is short: the whole suite stays within about a minute and a half
# (an ASan build, 20 rounds).
BURST = (0.1, 1.0)

runner = Runner()


class World:
    inst = None
    error = None
    ledger = Ledger()
    people = None
    rng = random.Random(SEED)
    t0 = time.monotonic()
    kills = 0


def world():
    if World.error:
        fail(f"setup failed earlier: {World.error}")
    if World.inst is None:
        try:
            World.inst = demo_instance(BINARY, "crash")
            World.people = people_by_org(World.inst)
        except Exception as e:  # noqa: BLE001
            World.error = str(e).splitlines()[0] if str(e) else repr(e)
            raise
    return World.inst


def touched_since(led, t):
    """References of ours written (or tried) since t."""
    refs = {rec["ref"] for rec in led.creates.values() if rec["sent"] >= t and rec["ref"]}
    refs |= {ref for (ref, _), d in led.decisions.items() if d["sent"] >= t}
    return sorted(refs)


def crash_round(n):
    inst, led = world(), World.ledger
    acked0, inflight0 = led.acked, led.inflight
    t_start = time.monotonic()
    load = Load(inst, led, World.people, f"r{n}", threads=THREADS, seed=World.rng.random())
    load.start()
    burst = World.rng.uniform(*BURST)
    time.sleep(burst)
    load.killed_at = time.monotonic()
    problems = kill9(inst)
    World.kills += 1
    load.stop()
    try:
        inst.start()
    except Exception as e:  # noqa: BLE001
        World.error = f"the server did not come back after kill -9 in round {n}: {e}"
        raise
    committed = resync(led, inst.db)
    with led.lock:
        problems += led.unexpected
        led.unexpected.clear()
    problems += whole(inst.db)
    problems += acknowledged(led, inst.db)
    problems += audit_over_http(inst, touched_since(led, t_start)[:40])
    problems += cli_verify(inst)
    print(f"     round {n}: killed after {burst:.2f} s; {led.acked - acked0} writes "
          f"acknowledged, {led.inflight - inflight0} in flight at the kill ({committed} of "
          "them committed)", flush=True)
    if problems:
        fail(f"after kill -9 in round {n} (seed {SEED}):\n" + "\n".join(problems))


for _n in range(1, ROUNDS + 1):
    runner.add(f"kill -9 round {_n}", lambda n=_n: crash_round(n))


@runner.test
def server_stops_cleanly_after_the_crashes():
    inst, led = world(), World.ledger
    problems = inst.stop()
    if problems:
        fail("\n".join(problems))
    decided = sum(1 for d in led.decisions.values() if d["acked"] is not None)
    made = sum(1 for r in led.creates.values() if r["acked"] is not None)
    noticed = sum(1 for n in led.notices.values() if n["acked"] is not None)
    print(f"     {World.kills} kills; {led.acked} writes acknowledged ({made} incidents, "
          f"{decided} decisions, {noticed} notices), {led.inflight} in flight; "
          f"{time.monotonic() - World.t0:.1f} s", flush=True)


def main():
    global BINARY
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    BINARY = os.path.abspath(args[0])
    only = [args[i + 1] for i, a in enumerate(args) if a == "-k" and i + 1 < len(args)]
    print(f"seed {SEED}", flush=True)
    try:
        passed, failed = runner.run(only or None)
    finally:
        if World.inst is not None:
            World.inst.close()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
