"""The allowed-transitions table: which lifecycle action each status permits."""

from __future__ import annotations

import pytest

from engine.errors import Conflict
from engine.rules.status import END_OUTCOMES
from engine.rules.status import STATUSES
from engine.rules.status import TRANSITIONS
from engine.rules.status import is_allowed
from engine.rules.status import require_allowed
from engine.rules.status import status_after_step

FINAL = [slug for slug, status in STATUSES.items() if status.final]


def test_the_ten_national_status_codes_are_one_to_ten():
    assert sorted(status.code for status in STATUSES.values()) == list(range(1, 11))


def test_every_action_names_only_known_statuses():
    for action, statuses in TRANSITIONS.items():
        assert statuses <= set(STATUSES), action


@pytest.mark.parametrize("status", FINAL)
def test_a_finished_dossier_allows_no_action(status):
    assert [action for action in TRANSITIONS if is_allowed(action, status)] == []


@pytest.mark.parametrize(
    ("action", "allowed", "refused"),
    [
        ("request_supplement", ["received", "processing"], ["supplement_requested", "processed"]),
        ("record_supplement", ["supplement_requested"], ["received", "processing"]),
        ("refuse", ["received", "processing", "supplement_requested"], ["processed"]),
        ("withdraw", ["received", "processing", "supplement_requested"], ["processed"]),
        ("stop", ["received", "processing", "supplement_requested"], ["processed"]),
        ("issue_apology", ["received", "processing", "processed"], ["supplement_requested"]),
        ("return_result", ["processed"], ["received", "processing", "supplement_requested"]),
        ("complete_task", ["received", "processing"], ["supplement_requested", "processed"]),
    ],
)
def test_each_action_is_allowed_from_its_statuses_only(action, allowed, refused):
    assert all(is_allowed(action, status) for status in allowed)
    assert not any(is_allowed(action, status) for status in refused)


def test_a_refused_action_is_a_conflict_naming_the_current_status():
    with pytest.raises(Conflict) as caught:
        require_allowed("return_result", "processing")
    assert "processing" in caught.value.detail
    assert "Đang xử lý" in caught.value.detail
    assert caught.value.params == {"action": "return_result", "status": "processing"}


def test_a_diagram_may_end_before_delivery_leaving_the_dossier_processed():
    assert "processed" in END_OUTCOMES
    assert (
        status_after_step("processing", workflow_completed=True, outcome="processed") == "processed"
    )
