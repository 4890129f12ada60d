#!/usr/bin/env python3
"""gen.py DB N OUT.csv: a legacy-register CSV of N incidents for `breachreg
import`, naming the organisations and people of the register at DB (made by
`init --demo`), reported across the 24 months of 2025-2026. Deterministic."""
import csv
import random
import sqlite3
import sys

db, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
con = sqlite3.connect(db)
orgs = [r[0] for r in con.execute("SELECT code FROM orgs ORDER BY code")]
people = [r[0] for r in con.execute("SELECT staff_id FROM people ORDER BY staff_id")]
con.close()
types = ["pass-lost", "pass-not-worn", "workstation-unlocked", "clear-desk-failure",
         "official-docs-unsecured", "personal-data-release", "portable-asset-lost",
         "cabinet-unlocked", "account-sharing", "equipment-abroad"]
rnd = random.Random(42)
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(["kind", "org", "types", "occurred_at", "discovered_at", "reported_at",
                "description", "location", "reporter", "subjects", "intent", "damage",
                "classification", "records"])
    for i in range(n):
        month = 1 + i * 24 // n  # in reporting order, as a register grows
        y, m = 2025 + (month - 1) // 12, 1 + (month - 1) % 12
        d, h = 1 + rnd.randrange(28), rnd.randrange(8, 18)
        at = f"{y:04d}-{m:02d}-{d:02d}T{h:02d}:{rnd.randrange(60):02d}:00Z"
        found = f"{y:04d}-{m:02d}-{d:02d}T{h - rnd.randrange(0, 8):02d}:00:00Z"
        t = rnd.choice(types)
        w.writerow(["near-miss" if rnd.random() < 0.05 else "breach", rnd.choice(orgs),
                    t if rnd.random() < 0.9 else t + ";clear-desk-failure" if t != "clear-desk-failure" else t,
                    found, found, at,
                    f"Legacy record {i}: {t.replace('-', ' ')}, found by the duty officer, "
                    "reported the same day", "Petty France, 5th floor", rnd.choice(people),
                    rnd.choice(people), rnd.choice(["accidental", "negligent"]),
                    rnd.choice(["none", "low", "moderate"]),
                    rnd.choice(["none", "official", "official-sensitive"]),
                    rnd.choice([0, 0, 0, 12, 250])])
