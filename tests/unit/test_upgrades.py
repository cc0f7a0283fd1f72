"""Databases written by released versions of Limes open with their data intact; a database
from a newer Limes is refused untouched. The fixtures come from tests/fixtures/make_fixtures.py."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.demo import CENTER_ID
from app.errors import DatabaseTooNewError
from app.store import Change, Store
from app.store.database import head_revision
from tests.factories import incident_fields
from tests.fixtures.make_fixtures import expected_values

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RELEASED = sorted(path.stem.removeprefix("limes-") for path in FIXTURES.glob("limes-*.sqlite3"))


def test_every_released_schema_has_a_fixture():
    assert "0001" in RELEASED
    assert head_revision() in RELEASED, "a new schema revision needs its fixture (make_fixtures)"


@pytest.fixture(params=RELEASED)
def released(request, tmp_path) -> tuple[Path, dict]:
    copy = tmp_path / f"limes-{request.param}.sqlite3"
    shutil.copyfile(FIXTURES / copy.name, copy)
    return copy, json.loads((FIXTURES / f"limes-{request.param}.json").read_text())


def test_released_database_opens_upgraded_with_its_data_intact(released):
    path, recorded = released
    with Store(path, CENTER_ID) as store:
        assert expected_values(store) == recorded
        with store.read() as connection:
            revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert revision.scalar_one() == head_revision()
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            newest = connection.exec_driver_sql("SELECT MAX(hlc) FROM ops").scalar_one()
        # and it keeps working: a new op is stamped after everything the old file holds
        store.commit(
            [Change("incident", "after-upgrade", incident_fields(CENTER_ID))], "t"
        ).result()
        with store.read() as connection:
            hlc, seq = connection.exec_driver_sql(
                "SELECT hlc, seq FROM ops WHERE record_id = 'after-upgrade'"
            ).one()
    assert hlc > newest
    assert seq == recorded["version_vector"][CENTER_ID] + 1


def test_released_database_from_a_newer_limes_is_refused_untouched(released):
    path, _recorded = released
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNewError) as refused:
        Store(path, CENTER_ID)
    message = str(refused.value)
    assert str(path) in message
    assert "newer Limes" in message
    assert "0099_from_the_future" in message
    assert "Upgrade Limes" in message
    assert path.read_bytes() == before
