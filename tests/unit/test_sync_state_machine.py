"""Partner sync as a state machine over 3-5 in-process replicas (real stores, real outbox,
real write rules, frames through the real protocol codec), fully meshed, each link a relay
or not. Rules: create, edit, note, delete, widen and narrow a release; after each change
some links (``spread``) run until quiet, so views go stale without a cut; cut, heal and
reconnect links; single network events (send, deliver - coalesced, reordered or twice -,
ack, lose a batch); run one link until quiet; clock jumps within +-50 s (any two centers
stay inside the 120 s clock guard). After "heal everything and deliver until quiet":

- equal shared digests on every link (both sides hold the same shared picture);
- no replica holds an op (applied or quarantined) of a record its owner never released to
  it (checked after every step, against the union of every release the owner set);
- no op is lost: every op of a record released (at the end) to Y is in Y's op-log;
- re-applying a replica's whole op-log to itself changes nothing, and applying it in a
  shuffled order (in random batches) to a fresh store gives the same picture;
- purging deleted records everywhere, then sending the purged history again, changes no
  picture and no shared digest.

Exempt, on purpose:
- from the no-loss check, records whose release list was ever narrowed (SYNC.md §7: what
  was sent stays sent, and what was held back may stay held back); their shared digests
  must still agree, since the narrowing itself reaches whoever could see the record;
- from both checks, in runs that reorder batches, records a change of which overtook their
  create and was refused ("change before its first report"): one websocket session delivers in order, so
  only this model reorders.
Not modelled: the digest exchange and its Resync, snapshots, restarts, forged ops.

The channels are in tests/unit/sync_replicas.py. A failing run prints its steps; rerun it
with the ``@reproduce_failure`` blob Hypothesis prints (``print_blob=True``).
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from app.oplog import Action
from app.store import Change, Store
from app.store.digest import picture_digest
from tests.factories import incident_fields
from tests.unit.sync_replicas import (
    ALL,
    Channel,
    Mesh,
    Replica,
    note_fields,
)

STATUSES = ["reported", "validated", "responding", "resolved", "closed", "dismissed"]
IMPACTS = ["low", "medium", "high"]
TITLES = ["Van at the fence", "Boat on the river", "Group on foot", "Drone sighted"]
CENTERS = [f"C{i}" for i in range(5)]
CENTER_LIST = st.lists(st.integers(0, 4), max_size=3)  # indexes, modulo the number of centers
SPREAD = st.lists(st.integers(0, 9), max_size=4)  # links (modulo their number) run after a change


@dataclass
class IncidentModel:
    owner: str
    release: list[str]
    ever: set[str]  # every center the owner ever released it to (the owner included)
    narrowed: bool = False
    deleted: bool = False
    notes: list[str] = field(default_factory=list)


def allowed(release: list[str], owner: str, centers: list[str]) -> set[str]:
    return set(centers) if ALL in release else {*release, owner}


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="limes-sync-sm-"))
        self.mesh: Mesh | None = None
        self.centers: list[str] = []
        self.incidents: dict[str, IncidentModel] = {}
        self.note_of: dict[str, tuple[str, str]] = {}  # note id -> (writer, incident id)
        self.counter = 0
        self.overtaken: set[str] = set()  # see exempt()

    # -- set-up ----------------------------------------------------------------------------------

    @initialize(
        n=st.integers(3, 5),
        relays=st.lists(st.booleans(), min_size=10, max_size=10),
        batch_ops=st.integers(1, 4),
        window=st.integers(1, 4),
        reorder=st.booleans(),
        duplicate=st.booleans(),
        shuffle_seed=st.integers(0, 2**16),
    )
    def start(self, n, relays, batch_ops, window, reorder, duplicate, shuffle_seed):
        self.centers = CENTERS[:n]
        pairs = [(a, b) for i, a in enumerate(CENTERS) for b in CENTERS[i + 1 :]]
        relay_of = {frozenset(pair): flag for pair, flag in zip(pairs, relays)}
        self.mesh = Mesh(self.folder, self.centers, lambda a, b: relay_of[frozenset((a, b))])
        self.batch_ops, self.window = batch_ops, window
        self.reorder, self.duplicate = reorder, duplicate
        self.shuffle_seed = shuffle_seed

    def teardown(self) -> None:
        try:
            if self.mesh is not None:
                self.final_checks()
        finally:
            if self.mesh is not None:
                self.mesh.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers -----------------------------------------------------------------------------------

    def center(self, index: int) -> str:
        return self.centers[index % len(self.centers)]

    def replica(self, index: int) -> Replica:
        assert self.mesh is not None
        return self.mesh[self.center(index)]

    def pair(self, a: int, b: int) -> tuple[str, str] | None:
        x, y = self.center(a), self.center(b)
        return None if x == y else (x, y)

    def pick(self, index: int, *, live: bool = True) -> str | None:
        ids = [i for i, m in self.incidents.items() if not (live and m.deleted)]
        return ids[index % len(ids)] if ids else None

    def release_of(self, owner: str, star: int, others: list[int]) -> list[str]:
        if star == 2:  # one in three releases is to every partner
            return [ALL]
        return sorted({self.center(i) for i in others} - {owner})

    def write(self, center: str, changes: list[Change], spread: list[int]) -> None:
        self.mesh[center].commit(changes)
        self.settle(spread)

    def settle(self, spread: list[int]) -> None:
        """After a change, the links numbered in ``spread`` run until quiet, in that order (so
        some centers hear of it at once and others later: views go stale without a cut)."""
        links = list(self.mesh.links.values())
        for index in spread:
            link = links[index % len(links)]
            if link.up:
                self.mesh.pump(self.batch_ops, self.window, links=[link])

    def set_release(self, incident_id: str, release: list[str], spread: list[int]) -> None:
        model = self.incidents[incident_id]
        before = allowed(model.release, model.owner, self.centers)
        after = allowed(release, model.owner, self.centers)
        if before - after:
            model.narrowed = True
        model.ever |= after
        model.release = release
        self.write(
            model.owner, [Change("incident", incident_id, {"releasability": release})], spread
        )

    # -- local changes -----------------------------------------------------------------------------

    @precondition(lambda self: self.mesh is not None)
    @rule(at=st.integers(0, 4), star=st.integers(0, 2), others=CENTER_LIST, spread=SPREAD)
    def create_incident(self, at, star, others, spread):
        owner = self.center(at)
        self.counter += 1
        incident_id = f"I{self.counter}"
        release = self.release_of(owner, star, others)
        fields = incident_fields(owner, releasability=release)
        self.write(owner, [Change("incident", incident_id, fields)], spread)
        self.incidents[incident_id] = IncidentModel(
            owner, release, allowed(release, owner, self.centers)
        )

    @precondition(lambda self: self.incidents)
    @rule(
        pick=st.integers(0, 50),
        status=st.sampled_from(STATUSES),
        impact=st.sampled_from(IMPACTS),
        title=st.sampled_from(TITLES),
        which=st.sets(st.sampled_from(["status", "impact", "title"]), min_size=1),
        spread=SPREAD,
    )
    def edit_incident(self, pick, status, impact, title, which, spread):
        incident_id = self.pick(pick)
        if incident_id is None:
            return
        values = {"status": status, "impact": impact, "title": title}
        owner = self.incidents[incident_id].owner
        fields = {name: values[name] for name in sorted(which)}
        self.write(owner, [Change("incident", incident_id, fields)], spread)

    @precondition(lambda self: self.incidents)
    @rule(pick=st.integers(0, 50), at=st.integers(0, 4), spread=SPREAD)
    def add_note(self, pick, at, spread):
        incident_id = self.pick(pick, live=False)
        if incident_id is None:
            return
        holders = [c for c in self.centers if self.mesh[c].holds_visible(incident_id)]
        if not holders:
            return
        writer = holders[at % len(holders)]
        self.counter += 1
        note_id = f"N{self.counter}"
        fields = note_fields(incident_id, writer, f"note {self.counter} from {writer}")
        self.write(writer, [Change("note", note_id, fields, Action.ADD)], spread)
        self.note_of[note_id] = (writer, incident_id)
        self.incidents[incident_id].notes.append(note_id)

    @precondition(lambda self: self.incidents)
    @rule(pick=st.integers(0, 50), spread=SPREAD)
    def delete_incident(self, pick, spread):
        incident_id = self.pick(pick)
        if incident_id is None:
            return
        model = self.incidents[incident_id]
        self.write(model.owner, [Change("incident", incident_id, {}, Action.DELETE)], spread)
        model.deleted = True

    @precondition(lambda self: self.incidents)
    @rule(
        pick=st.integers(0, 50),
        star=st.integers(0, 2),
        more=CENTER_LIST,
        spread=SPREAD,
    )
    def widen_release(self, pick, star, more, spread):
        incident_id = self.pick(pick, live=False)
        if incident_id is None:
            return
        model = self.incidents[incident_id]
        if ALL in model.release:
            return
        release = self.release_of(model.owner, star, [])
        if star != 2:
            release = sorted(set(model.release) | set(self.release_of(model.owner, False, more)))
        self.set_release(incident_id, release, spread)

    @precondition(lambda self: self.incidents)
    @rule(pick=st.integers(0, 50), keep=CENTER_LIST, spread=SPREAD)
    def narrow_release(self, pick, keep, spread):
        incident_id = self.pick(pick, live=False)
        if incident_id is None:
            return
        model = self.incidents[incident_id]
        current = allowed(model.release, model.owner, self.centers) - {model.owner}
        kept = sorted(current & {self.center(i) for i in keep})
        if set(kept) == current:
            return
        self.set_release(incident_id, kept, spread)

    @precondition(lambda self: self.mesh is not None)
    @rule(at=st.integers(0, 4), offset_s=st.integers(-50, 50))
    def clock_jump(self, at, offset_s):
        self.replica(at).wall.offset_ms = offset_s * 1000

    # -- the network ------------------------------------------------------------------------------

    @precondition(lambda self: self.mesh is not None)
    @rule(
        a=st.integers(0, 4),
        b=st.integers(0, 4),
        action=st.sampled_from(["cut", "heal", "reconnect"]),
    )
    def link_state(self, a, b, action):
        """Partition a link, heal it, or break its sessions (both resume from their cursors)."""
        pair = self.pair(a, b)
        if not pair:
            return
        link = self.mesh.link(*pair)
        if action == "cut":
            link.cut()
        elif action == "heal":
            link.heal()
        elif link.up:
            link.reconnect()

    def senders(self) -> list[Channel]:
        return [c for c in self.up_channels() if c.has_news(self.window)]

    def up_channels(self, what: str = "") -> list[Channel]:
        return [
            channel
            for link in self.mesh.links.values()
            if link.up
            for channel in link.channels()
            if not what or getattr(channel, what)
        ]

    @precondition(lambda self: self.mesh is not None)
    @rule(
        events=st.lists(
            st.tuples(
                st.sampled_from(["send", "deliver", "ack", "send", "deliver", "lose"]),
                st.integers(0, 19),
                st.integers(0, 3),
                st.booleans(),
            ),
            min_size=1,
            max_size=8,
        )
    )
    def network(self, events):
        """A few network events, each ``(what, channel, index, dup)`` on one up channel that
        can do ``what`` (or the first thing any channel can do):

        - send: a sender with something new sends a batch (within its window);
        - deliver: a receiver applies the first ``index + 1`` batches on the wire in one
          transaction (or, if reordering, the one at ``index``), and leaves them on the wire
          for a second delivery if duplicating and ``dup``;
        - ack: a sender reads one ack (any one if reordering) and moves its cursor over the
          leading acknowledged batches;
        - lose: a batch vanishes from the wire (only a reconnect of that link recovers it).
        """
        for what, k, index, dup in events:
            can = {
                "send": self.senders(),
                "deliver": self.up_channels("wire"),
                "ack": self.up_channels("acks"),
                "lose": self.up_channels("wire"),
            }
            if not can[what]:
                what = next((w for w in ("send", "deliver", "ack") if can[w]), "")
                if not what:
                    return
            channel = can[what][k % len(can[what])]
            if what == "send":
                channel.send(self.batch_ops, self.window)
            elif what == "deliver" and self.reorder:
                channel.deliver(index % len(channel.wire), keep=dup and self.duplicate)
            elif what == "deliver":  # in order: up to ``index + 1`` queued batches at once
                channel.deliver(0, keep=dup and self.duplicate, coalesce=index + 1)
            elif what == "ack":
                channel.take_ack(index % len(channel.acks) if self.reorder else 0)
            else:
                channel.lose(index % len(channel.wire))

    @precondition(lambda self: self.mesh is not None)
    @rule(a=st.integers(0, 4), b=st.integers(0, 4))
    def pump_link(self, a, b):
        """One link runs until it is quiet (both directions, in order, nothing lost)."""
        pair = self.pair(a, b)
        if pair and self.mesh.link(*pair).up:
            self.mesh.pump(self.batch_ops, self.window, links=[self.mesh.link(*pair)])

    # -- invariants --------------------------------------------------------------------------------

    def may_hold(self, center: str, kind: str, record_id: str) -> bool:
        if kind == "note":
            writer, incident_id = self.note_of[record_id]
            return center == writer or center in self.incidents[incident_id].ever
        return center in self.incidents[record_id].ever

    @invariant()
    def nobody_holds_what_was_never_released_to_it(self):
        if self.mesh is None:
            return
        for center in self.centers:
            replica = self.mesh[center]
            for op in replica.ops() + [op for op, _reason in replica.quarantined()]:
                assert self.may_hold(center, op.kind, op.record_id), (
                    f"{center} holds op {op.origin}/{op.seq} of {op.kind} {op.record_id}, "
                    f"never released to it: {self.describe(op.kind, op.record_id)}"
                )

    def describe(self, kind: str, record_id: str) -> str:
        if kind == "note":
            writer, incident_id = self.note_of[record_id]
            return f"note by {writer} on {incident_id} ({self.incidents[incident_id]})"
        return str(self.incidents[record_id])

    def exempt(self, kind: str, record_id: str, narrowed: bool = True) -> bool:
        """Records whose release was narrowed: SYNC.md §7 says what was sent stays sent.
        And, in runs that reorder batches, records of which a change overtook its create and
        was refused (one websocket session delivers in order; see the report)."""
        incident_id = self.note_of[record_id][1] if kind == "note" else record_id
        return (narrowed and self.incidents[incident_id].narrowed) or incident_id in self.overtaken

    def final_checks(self) -> None:
        mesh = self.mesh
        mesh.heal_all()
        for replica in mesh.replicas.values():
            replica.wall.offset_ms = 0
        mesh.pump(self.batch_ops, self.window)
        self.overtaken = set()
        if self.reorder:
            for center in self.centers:
                self.overtaken |= {
                    op.record_id
                    for op, reason in mesh[center].quarantined()
                    if "before its first report" in reason
                }
        problems: list[str] = []

        # 1. equal shared digests on every link (differences only on narrowed records)
        for link in mesh.links.values():
            a, b = link.a, link.b
            if a.shared(b.id, link.relay)[0] == b.shared(a.id, link.relay)[0]:
                continue
            rows_a, rows_b = a.shared_rows(b.id, link.relay), b.shared_rows(a.id, link.relay)
            for key in sorted(rows_a.keys() | rows_b.keys()):
                if rows_a.get(key) == rows_b.get(key) or self.exempt(*key, narrowed=False):
                    continue
                where = (
                    "both, values differ"
                    if key in rows_a and key in rows_b
                    else f"only {a.id if key in rows_a else b.id}"
                )
                problems.append(
                    f"digest {a.id}<->{b.id} (relay={link.relay}): {key[0]} {key[1]} "
                    f"in {where}: {self.describe(*key)}"
                )

        # 2. no op lost: every op of a record released (at the end) to Y is in Y's op-log
        ops = {center: mesh[center].ops() for center in self.centers}
        held = {center: {op.key for op in ops[center]} for center in self.centers}
        for center in self.centers:
            for op in ops[center]:
                if op.origin != center or self.exempt(op.kind, op.record_id):
                    continue
                incident_id = (
                    op.record_id if op.kind == "incident" else self.note_of[op.record_id][1]
                )
                model = self.incidents[incident_id]
                for other in allowed(model.release, model.owner, self.centers) - {center}:
                    if op.key not in held[other]:
                        problems.append(
                            f"lost: {op.origin}/{op.seq} ({op.kind} {op.record_id} "
                            f"{op.action.value}) never reached {other}: "
                            f"{self.describe(op.kind, op.record_id)}; quarantine at {other}: "
                            f"{[q for q in mesh[other].quarantine() if q[:2] == op.key]}"
                        )

        # 3. the whole log again changes nothing; shuffled into a fresh store, same picture
        rng = random.Random(self.shuffle_seed)
        for center in self.centers:
            replica = mesh[center]
            before = replica.picture()
            again = replica.store.apply_remote(ops[center]).result()
            if again.applied or replica.picture() != before:
                problems.append(f"{center}: re-applying its own log applied {again.applied} ops")
            shuffled = list(ops[center])
            rng.shuffle(shuffled)
            with Store(self.folder / f"fresh-{center}.sqlite3", "FRESH", synchronous="OFF") as s:
                while shuffled:
                    size = rng.randint(1, 6)
                    s.apply_remote(shuffled[:size]).result()
                    shuffled = shuffled[size:]
                with s.read() as connection:
                    fresh = picture_digest(connection)
            if fresh != before:
                problems.append(f"{center}: its log applied in a shuffled order differs")
        assert not problems, "\n".join(problems)

        # 4. purging deleted records (every partner has acknowledged everything by now)
        # changes no picture, and the purged history sent again revives nothing
        pictures = {center: mesh[center].picture() for center in self.centers}
        shared = {
            key: (link.a.shared(link.b.id, link.relay), link.b.shared(link.a.id, link.relay))
            for key, link in mesh.links.items()
        }
        for center in self.centers:
            others = [c for c in self.centers if c != center]
            mesh[center].store.purge_deleted(others, older_than_ms=0).result()
        for center in self.centers:
            mesh[center].store.apply_remote(ops[center]).result()
        mesh.pump(self.batch_ops, self.window)
        for center in self.centers:
            if mesh[center].picture() != pictures[center]:
                problems.append(f"{center}: purging deleted records changed its picture")
        for key, link in mesh.links.items():
            now = (link.a.shared(link.b.id, link.relay), link.b.shared(link.a.id, link.relay))
            if now != shared[key]:
                problems.append(f"link {sorted(key)}: purging changed the shared digests")
        assert not problems, "\n".join(problems)


SyncMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSyncStateMachine = SyncMachine.TestCase


# -- deterministic scenarios -----------------------------------------------------------------------


@pytest.fixture
def mesh(tmp_path):
    opened = Mesh(tmp_path, ["C0", "C1", "C2"])
    yield opened
    opened.close()


def _held(replica: Replica, incident_id: str) -> tuple[bool, bool] | None:
    row = replica.read(
        lambda c: c.exec_driver_sql(
            "SELECT deleted, complete FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
    )
    return None if row is None else (bool(row[0]), bool(row[1]))


def test_delete_during_a_partition_reaches_the_partner_after_heal(mesh):
    owner, partner = mesh["C0"], mesh["C1"]
    owner.commit([Change("incident", "I1", incident_fields("C0"))])
    mesh.pump()
    assert _held(partner, "I1") == (False, True)
    mesh.link("C0", "C1").cut()
    owner.commit([Change("incident", "I1", {}, Action.DELETE)])
    # the partner, not knowing, writes a note meanwhile
    partner.commit([Change("note", "N1", note_fields("I1", "C1", "seen"), Action.ADD)])
    mesh.pump()
    assert _held(partner, "I1") == (False, True)
    mesh.heal_all()
    mesh.pump()
    for center in ("C0", "C1", "C2"):
        assert _held(mesh[center], "I1") == (True, True), center
        assert "N1" in {op.record_id for op in mesh[center].ops()}
    for link in mesh.links.values():
        assert link.a.shared(link.b.id, False) == link.b.shared(link.a.id, False)


def test_notes_written_on_both_sides_at_once_survive_on_both(mesh):
    owner, partner = mesh["C0"], mesh["C1"]
    owner.commit([Change("incident", "I1", incident_fields("C0", releasability=["C1"]))])
    mesh.pump()
    mesh.link("C0", "C1").cut()
    owner.commit([Change("note", "N0", note_fields("I1", "C0", "ours"), Action.ADD)])
    partner.commit([Change("note", "N1", note_fields("I1", "C1", "theirs"), Action.ADD)])
    mesh.heal_all()
    mesh.pump()
    for center in ("C0", "C1"):
        notes = mesh[center].read(
            lambda c: c.exec_driver_sql("SELECT id FROM notes ORDER BY id").fetchall()
        )
        assert [n for (n,) in notes] == ["N0", "N1"], center
    assert mesh["C2"].ops() == []  # released to C1 only
    a, b = mesh["C0"], mesh["C1"]
    assert a.shared("C1", False) == b.shared("C0", False)


def test_a_batch_lost_on_the_wire_is_sent_again_from_the_cursor_after_reconnect(mesh):
    owner = mesh["C0"]
    for index in range(5):
        owner.commit([Change("incident", f"I{index}", incident_fields("C0"))])
    channel = mesh.channel("C0", "C1")
    assert channel.send(batch_ops=2, window=3)
    assert channel.send(batch_ops=2, window=3)
    channel.lose(0)  # the first batch vanishes; the second arrives and is acknowledged
    channel.deliver()
    assert channel.take_ack()
    assert channel.cursor() == 0  # the cursor never passes an unacknowledged batch
    mesh.heal_all()  # the session ends; the next one resumes from the cursor
    mesh.pump(batch_ops=2, window=3)
    assert {f"I{i}" for i in range(5)} <= {op.record_id for op in mesh["C1"].ops()}


def _note_after_a_widening_c1_has_not_heard_of(mesh) -> None:
    """C0 releases I1 to C1, then widens it to C2 while the C0-C1 link is down. C2 adds a
    note; C1 gets it from C2 before it hears of the widening from C0. Then all links heal."""
    mesh["C0"].commit([Change("incident", "I1", incident_fields("C0", releasability=["C1"]))])
    mesh.pump()
    mesh.link("C0", "C1").cut()
    mesh["C0"].commit([Change("incident", "I1", {"releasability": ["C1", "C2"]})])
    mesh.pump()
    mesh["C2"].commit([Change("note", "N1", note_fields("I1", "C2", "seen"), Action.ADD)])
    mesh.pump()
    mesh.heal_all()
    mesh.pump()


def test_a_note_from_a_newly_released_center_reaches_a_partner_not_yet_told(mesh):
    """C0 releases I1 to C1, then widens it to C2 while the C0-C1 link is down. C2 adds a
    note; C1 gets it from C2 before it hears of the widening from C0."""
    _note_after_a_widening_c1_has_not_heard_of(mesh)
    assert mesh["C1"].quarantine() == []
    assert "N1" in {op.record_id for op in mesh["C1"].ops()}
    assert mesh["C1"].shared("C2", False) == mesh["C2"].shared("C1", False)


def test_narrowing_a_shared_incident_keeps_the_digests_equal(mesh):
    mesh["C0"].commit([Change("incident", "I1", incident_fields("C0"))])
    mesh.pump()
    mesh["C0"].commit([Change("incident", "I1", {"releasability": ["C2"]})])
    mesh.pump()
    assert _held(mesh["C1"], "I1") == (False, True)  # C1 keeps what it was sent
    assert mesh["C0"].shared("C1", False) == mesh["C1"].shared("C0", False)


def test_a_resync_from_zero_recovers_the_refused_note(mesh):
    """A re-sync from zero (what a digest mismatch while idle asks for) resends the whole
    log; the note is there and the shared pictures still agree."""
    _note_after_a_widening_c1_has_not_heard_of(mesh)
    mesh.channel("C2", "C1").restart_from_zero()
    mesh.pump()
    assert "N1" in {op.record_id for op in mesh["C1"].ops()}
    assert mesh["C1"].shared("C2", False) == mesh["C2"].shared("C1", False)


def test_a_note_that_reached_a_relay_before_its_incident_is_relayed_once_the_incident_comes(
    tmp_path,
):
    """C1 notes C0's incident; the hub H hears the note first (its link to C0 is down), and
    cannot judge whom it may go to. When the incident reaches H, the note follows it to C2."""
    mesh = Mesh(
        tmp_path, ["C0", "C1", "C2", "H"], relay=lambda a, b: "H" in (a, b) and "C1" not in (a, b)
    )
    try:
        for a, b in (("C0", "C2"), ("C1", "C2"), ("C0", "H")):
            mesh.link(a, b).cut()  # C2 hears only through the hub; the hub not yet from C0
        mesh["C0"].commit([Change("incident", "I1", incident_fields("C0"))])
        mesh.pump()
        mesh["C1"].commit([Change("note", "N1", note_fields("I1", "C1", "seen"), Action.ADD)])
        mesh.pump()
        assert "N1" in {op.record_id for op in mesh["H"].ops()}
        assert mesh["C2"].ops() == []  # the hub holds the note back: whose incident is it?

        mesh.link("C0", "H").heal()
        mesh.pump()
        assert {op.record_id for op in mesh["C2"].ops()} == {"I1", "N1"}
        assert mesh["C2"].shared("H", True) == mesh["H"].shared("C2", True)
    finally:
        mesh.close()
