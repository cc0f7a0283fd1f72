"""The rules of a joint-patrol roster, checked incrementally as a commander edits. No Qt, no I/O.

Rules (each violation names its rule, the patrol and the officers concerned):

- ``overlap``: an officer is in two patrols whose shifts overlap. Shifts are half-open
  intervals [start, end): a shift ending at 14:00 and one starting at 14:00 do not overlap.
- ``shift_length``: a patrol's shift, or an officer's continuous duty (back-to-back shifts
  with no gap between them count as one duty), is longer than ``max_shift_h``.
- ``rest``: an officer rests less than ``min_rest_h`` between two duties.
- ``host_nation``: a patrol in a sector includes at least one officer of each country whose
  territory the sector covers. That is the sector's own country, plus any country it
  straddles onto (decided from the map's country polygons, see
  :mod:`maps.sector_territory`). *Each*, not *either*: a patrol in a straddling sector may
  operate on both sides, and the cross-border agreements require a host officer on each
  territory where foreign officers act.
- ``common_language``: a crew of two or more shares at least one working language.
- ``availability``: an officer marked unavailable is in a crew.

Times are UTC milliseconds throughout (shifts are instants, so time zones and daylight saving
changes cannot shift them). A commander may override a rule for a patrol with a recorded
reason (:class:`app.domain.Override`, stored on the patrol through the op-log); an override
covers a violation of the same rule for the same officers (for ``overlap`` and ``rest``, an
override on either of the two patrols).

:class:`RosterValidator` keeps per-officer timelines and per-sector patrol sets, so one edit
re-checks only the patrols and officers it touches.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app import values as v
from app.domain import Officer, Override, Patrol

HOUR_MS = 3_600_000


class Rule(StrEnum):
    OVERLAP = "overlap"
    SHIFT_LENGTH = "shift_length"
    REST = "rest"
    HOST_NATION = "host_nation"
    LANGUAGE = "common_language"
    AVAILABILITY = "availability"

    @property
    def label(self) -> str:
        return _RULE_LABELS[self]


_RULE_LABELS = {
    Rule.OVERLAP: "Overlapping shifts",
    Rule.SHIFT_LENGTH: "Shift length",
    Rule.REST: "Rest between shifts",
    Rule.HOST_NATION: "Host nation",
    Rule.LANGUAGE: "Common language",
    Rule.AVAILABILITY: "Officer unavailable",
}


@dataclass(frozen=True)
class RosterLimits:
    max_shift_ms: int = 12 * HOUR_MS
    min_rest_ms: int = 11 * HOUR_MS

    @classmethod
    def from_hours(cls, max_shift_h: float, min_rest_h: float) -> RosterLimits:
        return cls(round(max_shift_h * HOUR_MS), round(min_rest_h * HOUR_MS))


@dataclass(frozen=True)
class Violation:
    rule: Rule
    patrol_id: str
    officers: tuple[str, ...]  # sorted; empty when the rule is about the patrol itself
    message: str
    other_patrol: str = ""  # overlap and rest: the other patrol involved
    override: Override | None = None  # the recorded override that waives it, if any

    @property
    def overridden(self) -> bool:
        return self.override is not None

    @property
    def text(self) -> str:
        text = f"{self.rule.label}: {self.message}"
        if self.override is not None:
            text += f" (overridden by {self.override.by}: {self.override.reason})"
        return text


@dataclass(frozen=True)
class _Shift:
    """A patrol reduced to what the rules read, times in UTC milliseconds."""

    id: str
    call_sign: str
    start: int
    end: int
    crew: tuple[str, ...]
    sector_id: str
    overrides: tuple[Override, ...]

    @classmethod
    def of(cls, patrol: Patrol) -> _Shift:
        return cls(
            patrol.id,
            patrol.call_sign,
            v.to_ms(patrol.shift_start),
            v.to_ms(patrol.shift_end),
            patrol.crew,
            patrol.sector_id,
            patrol.overrides,
        )

    def override_for(self, rule: Rule, officers: tuple[str, ...]) -> Override | None:
        for override in self.overrides:
            if override.rule == rule.value and tuple(sorted(override.officers)) == officers:
                return override
        return None


def _hours(ms: int) -> str:
    return f"{ms / HOUR_MS:.1f}".rstrip("0").rstrip(".") + " h"


def _when(ms: int) -> str:
    return f"{v.from_ms(ms):%d %b %H:%M}Z"


class RosterValidator:
    """All violations of a roster, kept up to date edit by edit."""

    def __init__(
        self,
        limits: RosterLimits,
        officers: Iterable[Officer] = (),
        patrols: Iterable[Patrol] = (),
        sector_countries: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.limits = limits
        self._officers: dict[str, Officer] = {o.id: o for o in officers}
        self._shifts: dict[str, _Shift] = {}
        self._sector_countries: dict[str, tuple[str, ...]] = {
            sector: tuple(sorted(set(countries)))
            for sector, countries in (sector_countries or {}).items()
        }
        # officer id -> (start, end, patrol id) of their shifts, sorted
        self._timeline: dict[str, list[tuple[int, int, str]]] = {}
        self._by_sector: dict[str, set[str]] = {}
        self._patrol_violations: dict[str, tuple[Violation, ...]] = {}
        self._officer_violations: dict[str, tuple[Violation, ...]] = {}
        for patrol in patrols:
            self._add(_Shift.of(patrol))
        for shift in self._shifts.values():
            self._check_patrol(shift.id)
        for officer_id in self._timeline:
            self._check_officer(officer_id)

    # -- edits -------------------------------------------------------------------------------

    def upsert_patrol(self, patrol: Patrol) -> None:
        old = self._shifts.get(patrol.id)
        if old is not None:
            self._remove(old)
        shift = _Shift.of(patrol)
        self._add(shift)
        self._check_patrol(shift.id)
        for officer_id in set(shift.crew).union(old.crew if old else ()):
            self._check_officer(officer_id)

    def remove_patrol(self, patrol_id: str) -> None:
        old = self._shifts.get(patrol_id)
        if old is None:
            return
        self._remove(old)
        self._patrol_violations.pop(patrol_id, None)
        for officer_id in old.crew:
            self._check_officer(officer_id)

    def upsert_officer(self, officer: Officer) -> None:
        self._officers[officer.id] = officer
        self._recheck_patrols_of(officer.id)

    def remove_officer(self, officer_id: str) -> None:
        if self._officers.pop(officer_id, None) is not None:
            self._recheck_patrols_of(officer_id)

    def set_sector_countries(self, sector_id: str, countries: Iterable[str]) -> None:
        self._sector_countries[sector_id] = tuple(sorted(set(countries)))
        for patrol_id in self._by_sector.get(sector_id, ()):
            self._check_patrol(patrol_id)

    # -- results ------------------------------------------------------------------------------

    def violations(self) -> list[Violation]:
        """Every violation of the roster, overridden ones included (``overridden`` says)."""
        out = [item for items in self._patrol_violations.values() for item in items]
        out.extend(item for items in self._officer_violations.values() for item in items)
        return out

    def violations_of(self, patrol_id: str) -> list[Violation]:
        """The violations shown on one patrol (its own, and its crew's that name it)."""
        out = list(self._patrol_violations.get(patrol_id, ()))
        shift = self._shifts.get(patrol_id)
        for officer_id in shift.crew if shift else ():
            out.extend(
                item
                for item in self._officer_violations.get(officer_id, ())
                if item.patrol_id == patrol_id
            )
        return out

    def sector_countries(self, sector_id: str) -> tuple[str, ...]:
        return self._sector_countries.get(sector_id, ())

    def officer(self, officer_id: str) -> Officer | None:
        return self._officers.get(officer_id)

    def busy(self, officer_id: str, start_ms: int, end_ms: int, *, besides: str = "") -> list[str]:
        """Ids of the patrols (other than ``besides``) of an officer overlapping [start, end)."""
        return [
            patrol_id
            for s, e, patrol_id in self._timeline.get(officer_id, ())
            if s < end_ms and start_ms < e and patrol_id != besides
        ]

    # -- indexes -------------------------------------------------------------------------------

    def _add(self, shift: _Shift) -> None:
        self._shifts[shift.id] = shift
        for officer_id in shift.crew:
            bisect.insort(
                self._timeline.setdefault(officer_id, []), (shift.start, shift.end, shift.id)
            )
        self._by_sector.setdefault(shift.sector_id, set()).add(shift.id)

    def _remove(self, shift: _Shift) -> None:
        del self._shifts[shift.id]
        for officer_id in shift.crew:
            timeline = self._timeline[officer_id]
            timeline.remove((shift.start, shift.end, shift.id))
            if not timeline:
                del self._timeline[officer_id]
        self._by_sector[shift.sector_id].discard(shift.id)

    def _recheck_patrols_of(self, officer_id: str) -> None:
        """An officer's record changed: their patrols' rules, and their own (messages name them)."""
        for _start, _end, patrol_id in self._timeline.get(officer_id, ()):
            self._check_patrol(patrol_id)
        if officer_id in self._timeline:
            self._check_officer(officer_id)

    # -- the rules --------------------------------------------------------------------------------

    def _name(self, officer_id: str) -> str:
        officer = self._officers.get(officer_id)
        return f"{officer.name} ({officer.country})" if officer else officer_id

    def _check_patrol(self, patrol_id: str) -> None:
        shift = self._shifts[patrol_id]
        found: list[Violation] = []

        def add(rule: Rule, officers: tuple[str, ...], message: str) -> None:
            officers = tuple(sorted(officers))
            override = shift.override_for(rule, officers)
            found.append(Violation(rule, shift.id, officers, message, override=override))

        length = shift.end - shift.start
        if length > self.limits.max_shift_ms:
            add(
                Rule.SHIFT_LENGTH,
                (),
                f"{shift.call_sign}'s shift is {_hours(length)} "
                f"(at most {_hours(self.limits.max_shift_ms)})",
            )
        known = [self._officers[o] for o in shift.crew if o in self._officers]
        countries = self._sector_countries.get(shift.sector_id, ())
        if countries:
            present = {officer.country for officer in known}
            missing = [country for country in countries if country not in present]
            if missing:
                territory = "/".join(countries)
                add(
                    Rule.HOST_NATION,
                    shift.crew,
                    f"{shift.call_sign} has no officer of {', '.join(missing)} "
                    f"in a sector on {territory} territory",
                )
        if len(known) >= 2:
            shared = set(known[0].languages).intersection(*(o.languages for o in known[1:]))
            if not shared:
                add(
                    Rule.LANGUAGE,
                    shift.crew,
                    f"{shift.call_sign}'s crew shares no working language",
                )
        for officer in known:
            if not officer.available:
                add(
                    Rule.AVAILABILITY,
                    (officer.id,),
                    f"{self._name(officer.id)} is marked unavailable",
                )
        if found:
            self._patrol_violations[patrol_id] = tuple(found)
        else:
            self._patrol_violations.pop(patrol_id, None)

    def _check_officer(self, officer_id: str) -> None:
        timeline = self._timeline.get(officer_id, [])
        found: list[Violation] = []
        name = self._name(officer_id)
        officers = (officer_id,)

        def add(rule: Rule, patrol_id: str, message: str, other: str = "") -> None:
            override = self._shifts[patrol_id].override_for(rule, officers)
            if override is None and other:
                override = self._shifts[other].override_for(rule, officers)
            found.append(Violation(rule, patrol_id, officers, message, other, override))

        # overlaps: every pair (sorted by start, so j only runs while it starts before i ends)
        for i, (_start, end, patrol_id) in enumerate(timeline):
            for other_start, _other_end, other_id in timeline[i + 1 :]:
                if other_start >= end:
                    break
                a, b = self._shifts[patrol_id].call_sign, self._shifts[other_id].call_sign
                add(Rule.OVERLAP, patrol_id, f"{name} is also in {b} at the same time", other_id)
                add(Rule.OVERLAP, other_id, f"{name} is also in {a} at the same time", patrol_id)
        # duties: back-to-back or overlapping shifts merged; their length and the rest between
        duty_start, duty_end, last_id, shifts, previous = 0, 0, "", 0, None
        for start, end, patrol_id in [*timeline, (None, None, "")]:  # type: ignore[list-item]
            if shifts and start is not None and start <= duty_end:
                duty_end, last_id, shifts = max(duty_end, end), patrol_id, shifts + 1
                continue
            if shifts:
                length = duty_end - duty_start
                # one long shift is the patrol's own violation; a duty of several is the officer's
                if length > self.limits.max_shift_ms and shifts > 1:
                    add(
                        Rule.SHIFT_LENGTH,
                        last_id,
                        f"{name} is on duty {_hours(length)} without a break "
                        f"(at most {_hours(self.limits.max_shift_ms)})",
                    )
                previous = (duty_end, last_id)
            if start is None:
                break
            if previous is not None and start - previous[0] < self.limits.min_rest_ms:
                add(
                    Rule.REST,
                    patrol_id,
                    f"{name} rests {_hours(start - previous[0])} after "
                    f"{self._shifts[previous[1]].call_sign} "
                    f"(at least {_hours(self.limits.min_rest_ms)})",
                    previous[1],
                )
            duty_start, duty_end, last_id, shifts = start, end, patrol_id, 1
        if found:
            self._officer_violations[officer_id] = tuple(found)
        else:
            self._officer_violations.pop(officer_id, None)


def active_violations(violations: Iterable[Violation]) -> Iterator[Violation]:
    """The violations no override waives: what still blocks a clean roster."""
    return (item for item in violations if item.override is None)
