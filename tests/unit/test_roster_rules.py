"""The roster rules on the demo's real-shaped officers and the Evros border geography."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import values as v
from app.demo_content import OFFICERS
from app.domain import Officer, Override, Patrol, Sector
from app.roster_coverage import Gap, coverage_gaps
from app.roster_rules import RosterLimits, RosterValidator, Rule, active_violations
from maps.geography import default_resources, load_countries
from maps.sector_territory import sector_countries

DAY = datetime(2026, 11, 22, tzinfo=UTC)
ATHENS = ZoneInfo("Europe/Athens")
ISTANBUL = ZoneInfo("Europe/Istanbul")
LIMITS = RosterLimits.from_hours(12, 11)


def officers() -> list[Officer]:
    return [
        Officer(f"OFF-{key}", name, agency, country, rank, languages, skills)
        for key, (name, agency, country, rank, languages, skills) in OFFICERS.items()
    ]


def patrol(
    call_sign: str,
    crew: tuple[str, ...],
    start: datetime,
    hours: float = 8,
    sector: str = "SEC-GR-1",
    overrides: tuple[Override, ...] = (),
) -> Patrol:
    return Patrol(
        id=f"PAT-{call_sign}",
        call_sign=call_sign,
        crew=tuple(f"OFF-{c}" for c in crew),
        vehicle="4x4",
        shift_start=start,
        shift_end=start + timedelta(hours=hours),
        sector_id=sector,
        status=v.PatrolStatus.PLANNED,
        overrides=overrides,
    )


SECTORS = {"SEC-GR-1": ("GRC",), "SEC-BG-1": ("BGR",), "SEC-GR-TR": ("GRC", "TUR")}


def rules_of(validator: RosterValidator) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted((x.rule.value, x.patrol_id, x.officers) for x in validator.violations())


def validate(*patrols: Patrol) -> RosterValidator:
    return RosterValidator(LIMITS, officers(), patrols, SECTORS)


def test_a_clean_joint_patrol_has_no_violation():
    assert validate(patrol("EVROS-11", ("GR-01", "DE-01", "BG-02"), DAY)).violations() == []


def test_touching_shifts_do_not_overlap_but_one_minute_more_does():
    early = patrol("EVROS-11", ("GR-01", "DE-01"), DAY.replace(hour=6), hours=4)
    touching = patrol("EVROS-12", ("GR-01", "DE-02"), DAY.replace(hour=10), hours=4)
    assert rules_of(validate(early, touching)) == []  # 6-10 then 10-14: one 8 h duty

    overlapping = patrol("EVROS-12", ("GR-01", "DE-02"), DAY.replace(hour=9, minute=59), hours=4)
    found = validate(early, overlapping).violations()
    assert sorted((x.rule, x.patrol_id, x.other_patrol) for x in found) == [
        (Rule.OVERLAP, "PAT-EVROS-11", "PAT-EVROS-12"),
        (Rule.OVERLAP, "PAT-EVROS-12", "PAT-EVROS-11"),
    ]
    texts = sorted(x.text for x in found)
    assert (
        texts[0]
        == "Overlapping shifts: Dimitris Karalis (GRC) is also in EVROS-11 at the same time"
    )


def test_shifts_given_in_athens_and_istanbul_time_overlap_as_instants():
    # 08:00-16:00 Athens (UTC+2 in November) and 09:00-17:00 Istanbul (UTC+3) are the same hours
    athens = patrol("EVROS-11", ("GR-01", "DE-01"), datetime(2026, 11, 22, 8, tzinfo=ATHENS))
    istanbul = patrol(
        "EVROS-12", ("GR-01", "DE-02"), datetime(2026, 11, 22, 17, tzinfo=ISTANBUL), hours=3
    )
    assert rules_of(validate(athens, istanbul)) == []  # 17:00 Istanbul = 16:00 Athens: touching
    istanbul = patrol(
        "EVROS-12", ("GR-01", "DE-02"), datetime(2026, 11, 22, 16, tzinfo=ISTANBUL), hours=3
    )
    assert {x.rule for x in validate(athens, istanbul).violations()} == {Rule.OVERLAP}


def test_a_night_shift_over_the_end_of_summer_time_is_one_hour_longer_than_the_clock_says():
    # Athens leaves summer time on 25 Oct 2026 at 04:00 local: 20:00 to 08:00 is 13 h.
    start = datetime(2026, 10, 24, 20, tzinfo=ATHENS)
    end = datetime(2026, 10, 25, 8, tzinfo=ATHENS)
    night = patrol(
        "EVROS-11", ("GR-01", "DE-01"), start, hours=(end - start).total_seconds() / 3600
    )
    found = validate(night).violations()
    assert [(x.rule, x.officers) for x in found] == [(Rule.SHIFT_LENGTH, ())]
    assert "13 h" in found[0].message


def test_back_to_back_shifts_count_as_one_duty_and_rest_is_between_duties():
    first = patrol("EVROS-11", ("GR-01", "DE-01"), DAY.replace(hour=0), hours=8)
    second = patrol("EVROS-12", ("GR-01", "DE-02"), DAY.replace(hour=8), hours=6)
    duty = validate(first, second).violations()
    assert [(x.rule, x.patrol_id, x.officers) for x in duty] == [
        (Rule.SHIFT_LENGTH, "PAT-EVROS-12", ("OFF-GR-01",))
    ]
    assert "14 h without a break" in duty[0].message

    late = patrol("EVROS-12", ("GR-01", "DE-02"), DAY.replace(hour=18), hours=6)
    rest = validate(first, late).violations()
    assert [(x.rule, x.patrol_id, x.other_patrol) for x in rest] == [
        (Rule.REST, "PAT-EVROS-12", "PAT-EVROS-11")
    ]
    assert "rests 10 h after EVROS-11 (at least 11 h)" in rest[0].message
    assert (
        validate(first, patrol("EVROS-12", ("GR-01", "DE-02"), DAY.replace(hour=19))).violations()
        == []
    )


def test_host_nation_in_a_greek_sector_needs_a_greek_officer():
    foreign = patrol("EVROS-11", ("DE-01", "AT-01"), DAY)
    found = validate(foreign).violations()
    assert [(x.rule, x.officers) for x in found] == [(Rule.HOST_NATION, ("OFF-AT-01", "OFF-DE-01"))]
    assert "no officer of GRC" in found[0].message


def test_a_sector_drawn_across_the_evros_straddles_and_needs_a_greek_and_a_turkish_officer():
    countries = load_countries(default_resources().countries)

    def box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict:
        ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
        return {"type": "Polygon", "coordinates": [ring]}

    kastanies = Sector(
        "SEC-X", "Kastanies bridge", "GRC", "", v.ImpactLevel.HIGH, box(26.40, 41.55, 26.70, 41.70)
    )  # across the river, Edirne side too
    greek_bank = Sector(
        "SEC-G", "Nea Vyssa west", "GRC", "", v.ImpactLevel.HIGH, box(26.20, 41.55, 26.40, 41.70)
    )
    territory = sector_countries([kastanies, greek_bank], countries, 0.25)
    assert territory == {"SEC-X": ("GRC", "TUR"), "SEC-G": ("GRC",)}

    crew = ("GR-01", "DE-01")
    validator = RosterValidator(
        LIMITS, officers(), [patrol("EVROS-11", crew, DAY, sector="SEC-X")], territory
    )
    [found] = validator.violations()
    assert found.rule is Rule.HOST_NATION
    assert "no officer of TUR" in found.message
    validator.upsert_patrol(patrol("EVROS-11", crew, DAY, sector="SEC-G"))
    assert validator.violations() == []


def test_a_crew_without_a_shared_language_is_flagged():
    # Ioana Marin speaks ro/en; Sanne de Vries nl/en/de: shared "en"
    assert validate(patrol("EVROS-11", ("GR-01", "RO-02", "NL-01"), DAY)).violations() == []
    lone = [o for o in officers() if o.id != "OFF-RO-02"]
    lone.append(Officer("OFF-RO-02", "Ioana Marin", "Frontex", "ROU", "", ("ro",), ()))
    validator = RosterValidator(
        LIMITS, lone, [patrol("EVROS-11", ("GR-01", "RO-02"), DAY)], SECTORS
    )
    assert [x.rule for x in validator.violations()] == [Rule.LANGUAGE]


def test_an_override_is_recorded_on_the_patrol_and_waives_only_that_rule_for_that_crew():
    crew = ("DE-01", "AT-01")
    override = Override(
        Rule.HOST_NATION.value,
        ("OFF-AT-01", "OFF-DE-01"),
        "Greek officer joins at Kastanies BCP at 07:00",
        "Cdr. P. Galanis",
        DAY - timedelta(hours=1),
    )
    validator = validate(patrol("EVROS-11", crew, DAY, overrides=(override,)))
    [found] = validator.violations()
    assert found.override == override
    assert list(active_violations([found])) == []
    assert "overridden by Cdr. P. Galanis: Greek officer joins" in found.text
    # the crew changes: the override no longer covers it
    validator.upsert_patrol(patrol("EVROS-11", ("DE-01", "NL-01"), DAY, overrides=(override,)))
    assert [x.override for x in validator.violations()] == [None]
    # the override survives the op-log round trip
    assert Patrol.from_fields(
        "PAT-EVROS-11", patrol("X", crew, DAY, overrides=(override,)).to_fields()
    ).overrides == (override,)


def test_an_overlap_override_on_either_patrol_covers_both_sides():
    override = Override("overlap", ("OFF-GR-01",), "Short handover at the bridge", "Cdr", DAY)
    a = patrol("EVROS-11", ("GR-01", "DE-01"), DAY, overrides=(override,))
    b = patrol("EVROS-12", ("GR-01", "DE-02"), DAY + timedelta(hours=7), hours=2)
    found = validate(a, b).violations()
    assert len(found) == 2
    assert all(x.override == override for x in found)


def _random_patrol(rng: random.Random, ids: list[str], n: int) -> Patrol:
    crew = tuple(rng.sample(ids, rng.randint(1, 4)))
    start = DAY + timedelta(hours=rng.randint(0, 72))
    return Patrol(
        f"PAT-{n}",
        f"P{n}",
        crew,
        "",
        start,
        start + timedelta(hours=rng.choice([4, 8, 13])),
        rng.choice(list(SECTORS)),
        v.PatrolStatus.PLANNED,
    )


def test_incremental_validation_after_each_edit_equals_a_validation_from_scratch():
    rng = random.Random(7)
    roster = officers()
    ids = [o.id for o in roster]
    patrols = {f"PAT-{n}": _random_patrol(rng, ids, n) for n in range(40)}
    validator = RosterValidator(LIMITS, roster, patrols.values(), SECTORS)
    for step in range(150):
        n = rng.randrange(50)
        if rng.random() < 0.2 and f"PAT-{n}" in patrols:
            del patrols[f"PAT-{n}"]
            validator.remove_patrol(f"PAT-{n}")
        elif rng.random() < 0.1:
            officer = rng.choice(roster)
            changed = Officer(
                officer.id,
                officer.name,
                officer.agency,
                rng.choice(["GRC", "BGR", "DEU"]),
                officer.rank,
                officer.languages,
                officer.qualifications,
                rng.random() < 0.8,
            )
            roster = [changed if o.id == officer.id else o for o in roster]
            validator.upsert_officer(changed)
        else:
            patrols[f"PAT-{n}"] = _random_patrol(rng, ids, n)
            validator.upsert_patrol(patrols[f"PAT-{n}"])
        fresh = RosterValidator(LIMITS, roster, patrols.values(), SECTORS)
        assert sorted(map(repr, validator.violations())) == sorted(map(repr, fresh.violations())), (
            step
        )


def test_coverage_gaps_are_the_hours_a_high_impact_sector_has_nobody():
    def sector(sector_id: str, impact: str) -> Sector:
        return Sector(sector_id, sector_id, "GRC", "", v.ImpactLevel(impact), {})

    sectors = [
        sector("SEC-GR-1", "high"),
        sector("SEC-BG-1", "critical"),
        sector("SEC-GR-TR", "low"),
    ]
    patrols = [
        patrol("A", ("GR-01",), DAY.replace(hour=6), hours=8, sector="SEC-GR-1"),
        patrol("B", ("GR-02",), DAY.replace(hour=14), hours=8, sector="SEC-GR-1"),  # touching
        patrol("C", ("BG-01",), DAY.replace(hour=8), hours=4, sector="SEC-BG-1"),
    ]
    start, end = v.to_ms(DAY.replace(hour=6)), v.to_ms(DAY.replace(hour=22))
    gaps = coverage_gaps(patrols, sectors, start, end, v.ImpactLevel.HIGH)
    hour = 3_600_000
    assert gaps == [
        Gap("SEC-BG-1", start, start + 2 * hour),
        Gap("SEC-BG-1", start + 6 * hour, end),
    ]
    off = [
        p if p.call_sign != "B" else Patrol(**{**p.__dict__, "status": v.PatrolStatus.OFF_DUTY})
        for p in patrols
    ]
    assert Gap("SEC-GR-1", start + 8 * hour, end) in coverage_gaps(
        off, sectors, start, end, v.ImpactLevel.HIGH
    )


@pytest.mark.parametrize(("impact", "expected"), [("critical", 1), ("medium", 3)])
def test_the_coverage_threshold_is_the_configured_level(impact, expected):
    sectors = [
        Sector(s, s, "GRC", "", v.ImpactLevel(level), {})
        for s, level in (("S1", "critical"), ("S2", "high"), ("S3", "medium"))
    ]
    gaps = coverage_gaps([], sectors, 0, 3_600_000, v.ImpactLevel(impact))
    assert len(gaps) == expected
