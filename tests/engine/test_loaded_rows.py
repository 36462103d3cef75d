"""Objects made from columns read straight from the driver (engine.store.loaded_rows) behave as if
the ORM had loaded them: the session knows them, nothing counts as changed, and a change is saved.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy import select

from engine.models import Dossier
from engine.models import Notification
from engine.models import ProcedureVersion
from engine.store import loaded_rows
from engine.store.db import utcnow
from engine.store.write_behind import read
from tests.background import receive


def test_an_attached_row_is_clean_known_to_the_session_and_saves_a_change(new_uow, actor):
    dossier = receive(new_uow, actor("tiepnhan1"), "newborn_bundle")
    statement = select(*loaded_rows.columns(Dossier)).where(Dossier.id == dossier.id)
    with new_uow() as uow:
        uow.begin_write()
        (values,) = read(uow.session, statement, {})
        row = loaded_rows.attach(uow.session, Dossier, values)
        assert uow.session.get(Dossier, dossier.id) is row  # no second copy, no query
        assert not uow.session.dirty
        assert (row.code, row.status, row.received_at.tzinfo is not None) == (
            dossier.code,
            "received",
            True,
        )
        row.delivery_address = "Số 12 đường Lê Lợi"
        uow.commit()

    with new_uow() as uow:
        stored = uow.session.get_one(Dossier, dossier.id)
        assert (stored.delivery_address, stored.lock_version) == ("Số 12 đường Lê Lợi", 2)


def test_a_row_the_session_holds_comes_back_as_that_object_and_deferred_columns_wait(new_uow):
    """A batch import receives many dossiers of one procedure in one session."""
    statement = select(*loaded_rows.columns(ProcedureVersion)).limit(1)
    with new_uow() as uow:
        (values,) = read(uow.session, statement, {})
        first = loaded_rows.attach(uow.session, ProcedureVersion, values)
        again = loaded_rows.attach(uow.session, ProcedureVersion, values)
        assert again is first
        assert "files" not in inspect(first).dict  # not read with the row
        assert first.files  # loaded when used, as a deferred column is


def test_a_row_inserted_straight_gets_the_models_defaults_and_its_new_id(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        notice = loaded_rows.insert_row(
            uow.session,
            Notification,
            {
                "kind": "received",
                "channel": "email",
                "recipient": "lr-insert@example.vn",
                "subject": "S",
                "body": "B",
                "next_attempt_at": utcnow(),
            },
        )
        assert notice.id is not None
        assert uow.session.get(Notification, notice.id) is notice
        uow.commit()

    with new_uow() as uow:
        stored = uow.session.get_one(Notification, notice.id)
        assert (stored.recipient, stored.status, stored.attempts) == (
            "lr-insert@example.vn",
            "pending",  # the model's defaults, as a flush would have set them
            0,
        )
        assert stored.created_at is not None


def test_inserting_a_column_the_model_lacks_is_refused_before_any_sql(new_uow):
    with new_uow() as uow, pytest.raises(TypeError, match="no column"):
        loaded_rows.insert_row(uow.session, Notification, {"recipent": "typo@example.vn"})
