"""The sweep refuses a dossier whose applicant did not bring the requested papers in time, and the
applicant is told (the rule itself lives in engine/supplements.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.background import sweep
from engine.dossiers import supplements
from engine.models import SupplementRequest
from tests.background import notifications
from tests.background import publish_fixture
from tests.background import receive
from tests.background import rows


def test_the_sweep_refuses_a_dossier_whose_supplement_time_ran_out(new_uow, actor):
    receptionist = actor("tiepnhan1")
    code = publish_fixture(new_uow, actor("thietke"), "step_limit")
    dossier = receive(new_uow, receptionist, code)
    with new_uow() as uow:
        supplements.request_supplement(
            uow, receptionist, dossier.id, reason="Thiếu giấy chứng sinh", items=["Giấy chứng sinh"]
        )
    [request] = rows(
        new_uow, select(SupplementRequest).where(SupplementRequest.dossier_id == dossier.id)
    )

    before = sweep.sweep(new_uow, now=request.applicant_due_at - timedelta(minutes=1))
    after = sweep.sweep(new_uow, now=request.applicant_due_at + timedelta(minutes=1))

    assert (before.supplements_expired, after.supplements_expired) == (0, 1)
    told = [(n.kind, n.channel) for n in notifications(new_uow, dossier_id=dossier.id)]
    assert told[-2:] == [("refused", "email"), ("refused", "sms")]
    assert ("supplement_requested", "sms") in told
    refused = notifications(new_uow, dossier_id=dossier.id, kind="refused")[0]
    assert supplements.EXPIRY_REASON in refused.body
