"""Roster validation after one edit, next to a from-scratch and a brute-force check, same run.

    python bench/roster.py [--officers 2000] [--patrols 500] [--sectors 50] [--edits 200]

A 4-week roster (8 h shifts, crews of 2-4 from five countries, sectors of two countries, some
straddling the border). Measured, medians:

1. Incremental: one edit (a patrol's crew and shift changed) applied to the live
   :class:`RosterValidator`, then the full list of violations read. This is what the
   commander's view does on every drop. Target: under 50 ms.
2. From scratch: a new validator over the whole roster (the same rules, indexes rebuilt).
3. Brute force: every rule checked by comparing every patrol with every other one, the
   obvious reference; its violation count is checked against the validator's.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import values as v
from app.domain import Officer, Patrol
from app.roster_rules import RosterLimits, RosterValidator

START = datetime(2026, 12, 1, tzinfo=UTC)
COUNTRIES = ("GRC", "BGR", "DEU", "ROU", "NLD")
LANGUAGES = {"GRC": "el", "BGR": "bg", "DEU": "de", "ROU": "ro", "NLD": "nl"}
LIMITS = RosterLimits.from_hours(12, 11)


def make_roster(rng: random.Random, n_officers: int, n_patrols: int, n_sectors: int):
    officers = []
    for i in range(n_officers):
        country = COUNTRIES[i % len(COUNTRIES)]
        languages = [LANGUAGES[country]] + (["en"] if rng.random() < 0.9 else [])
        officers.append(
            Officer(f"OFF-{i}", f"Officer {i}", "Agency", country, "", tuple(languages), ())
        )
    sectors = {
        f"SEC-{i}": ("GRC", "TUR") if i % 10 == 0 else (("GRC",) if i % 2 else ("BGR",))
        for i in range(n_sectors)
    }
    ids = [o.id for o in officers]
    patrols = [make_patrol(rng, ids, list(sectors), n) for n in range(n_patrols)]
    return officers, patrols, sectors


def make_patrol(rng: random.Random, ids: list[str], sectors: list[str], n: int) -> Patrol:
    start = START + timedelta(hours=8 * rng.randrange(28 * 3))
    return Patrol(
        id=f"PAT-{n}",
        call_sign=f"P-{n}",
        crew=tuple(rng.sample(ids, rng.randint(2, 4))),
        vehicle="",
        shift_start=start,
        shift_end=start + timedelta(hours=8),
        sector_id=rng.choice(sectors),
        status=v.PatrolStatus.PLANNED,
    )


def brute_force(officers, patrols, sectors) -> int:
    """Count violations the obvious way: every patrol against every other one."""
    by_id = {o.id: o for o in officers}
    count = 0
    spans = [(v.to_ms(p.shift_start), v.to_ms(p.shift_end), p) for p in patrols]
    for start, end, patrol in spans:
        if end - start > LIMITS.max_shift_ms:
            count += 1
        crew = [by_id[o] for o in patrol.crew if o in by_id]
        if set(sectors.get(patrol.sector_id, ())) - {o.country for o in crew}:
            count += 1
        if len(crew) > 1 and not set(crew[0].languages).intersection(*(o.languages for o in crew)):
            count += 1
        count += sum(1 for o in crew if not o.available)
        for other_start, other_end, other in spans:
            if other is patrol:
                continue
            shared = set(patrol.crew) & set(other.crew)
            if not shared:
                continue
            if other_start < end and start < other_end:
                count += len(shared)  # this patrol's side of the overlap
            elif end < other_start and other_start - end < LIMITS.min_rest_ms:
                # rest before the next duty; exact when no officer has back-to-back shifts
                count += sum(
                    1
                    for officer in shared
                    if not any(
                        officer in p.crew and (end <= s < other_start or s < other_start < e)
                        for s, e, p in spans
                        if p is not patrol and p is not other
                    )
                )
    return count


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=2000)
    parser.add_argument("--patrols", type=int, default=500)
    parser.add_argument("--sectors", type=int, default=50)
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(42)
    officers, patrols, sectors = make_roster(rng, args.officers, args.patrols, args.sectors)
    ids, sector_ids = [o.id for o in officers], list(sectors)

    validator = RosterValidator(LIMITS, officers, patrols, sectors)
    current = {p.id: p for p in patrols}
    incremental = []
    for _ in range(args.edits):
        edited = make_patrol(rng, ids, sector_ids, rng.randrange(len(patrols)))
        begin = time.perf_counter()
        validator.upsert_patrol(edited)
        found = validator.violations()
        incremental.append(time.perf_counter() - begin)
        current[edited.id] = edited

    scratch = []
    for _ in range(5):
        begin = time.perf_counter()
        fresh = RosterValidator(LIMITS, officers, current.values(), sectors).violations()
        scratch.append(time.perf_counter() - begin)
    brute = []
    for _ in range(3):
        begin = time.perf_counter()
        reference = brute_force(officers, list(current.values()), sectors)
        brute.append(time.perf_counter() - begin)

    assert sorted(map(repr, found)) == sorted(map(repr, fresh)), "incremental != from scratch"
    # back-to-back shifts make a long duty: a rule the pairwise reference does not model
    shifts = sum(1 for x in found if x.rule.value == "shift_length")
    assert reference + shifts == len(found), (reference, shifts, len(found))
    print(
        f"roster: {args.officers} officers, {args.patrols} patrols, {args.sectors} sectors, "
        f"4 weeks; {len(found)} violations (brute force {reference} + {shifts} duty-length)"
    )
    inc, full, raw = median_ms(incremental), median_ms(scratch), median_ms(brute)
    print(f"one edit, all violations (incremental): {inc:8.2f} ms median of {args.edits}")
    print(f"from scratch (same rules, new indexes): {full:8.2f} ms median of 5 ({full / inc:.0f}x)")
    print(f"brute force (every patrol pair):        {raw:8.2f} ms median of 3 ({raw / inc:.0f}x)")
    print(f"target < 50 ms: {'met' if inc < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
