"""Valid data for each step's form in the shipped procedures (processes/*/<step>.form.json),
following a dossier's story: the values a civil servant would type."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.demo.plan import Story


@dataclass(frozen=True)
class _Step:
    story: Story
    rng: random.Random
    rounds: int
    """How many times the desk has found the dossier incomplete so far."""
    today: date


def form_data(
    element_id: str, story: Story, rng: random.Random, *, rounds: int, today: date
) -> dict[str, Any]:
    fill = FORMS.get(element_id)
    return fill(_Step(story, rng, rounds, today)) if fill else {}


def _check(step: _Step) -> dict[str, Any]:
    if step.rounds < step.story.incomplete_rounds:
        return {"dossier_complete": "no", "missing_items": "Bản sao giấy chứng sinh"}
    return {"dossier_complete": "yes"}


def _supplement(step: _Step) -> dict[str, Any]:
    last = step.rounds == step.story.incomplete_rounds
    answered = step.story.answered or not last
    return {"supplement_outcome": "received" if answered else "not_supplemented"}


def _birth(step: _Step) -> dict[str, Any]:
    return {
        "birth_registration_number": f"{step.story.number}/{step.today.year}",
        "child_personal_id": f"0{step.rng.randrange(10**11):011d}",
    }


def _residence(step: _Step) -> dict[str, Any]:
    return {
        "residence_address": step.story.applicant["address"],
        "residence_notice_number": f"TB-{step.story.number:05d}",
    }


def _health_insurance(step: _Step) -> dict[str, Any]:
    return {
        "social_security_number": f"{step.rng.randrange(10**10):010d}",
        "card_valid_from": step.today.isoformat(),
    }


def _return_newborn(step: _Step) -> dict[str, Any]:
    """Online applicants get the electronic result; postal ones a parcel with its number."""
    channel = step.story.channel
    if channel == "postal":
        return {"delivery_method": "postal", "tracking_number": _parcel(step)}
    return {"delivery_method": "electronic" if channel == "online" else "in_person"}


def _verify(step: _Step) -> dict[str, Any]:
    groups = ("elderly_80", "disabled", "orphan", "single_poor_parent")
    return {
        "beneficiary_group": step.rng.choice(groups),
        "verified_in_population_db": True,
        "eligible": "yes" if step.story.eligible else "no",
    }


def _guide(step: _Step) -> dict[str, Any]:
    return {"submission_channel": "online" if step.story.channel == "online" else "assisted"}


def _decide(step: _Step) -> dict[str, Any]:
    if step.story.approved:
        return {
            "decision": "approve",
            "monthly_amount": 500000 * step.rng.randint(1, 3),
            "start_month": f"{step.today.year:04d}-{step.today.month:02d}",
        }
    return {"decision": "refuse", "refusal_reason": "Không thuộc diện hưởng trợ cấp"}


def _return_allowance(step: _Step) -> dict[str, Any]:
    if step.story.channel == "postal":
        return {
            "delivery_method": "postal",
            "postal_address": step.story.applicant["address"],
            "tracking_number": _parcel(step),
        }
    return {"delivery_method": "in_person"}


def _return_refusal(step: _Step) -> dict[str, Any]:
    return {"delivery_method": "postal" if step.story.channel == "postal" else "in_person"}


def _parcel(step: _Step) -> str:
    return f"EP{step.story.number:07d}VN"


FORMS: dict[str, Callable[[_Step], dict[str, Any]]] = {
    "check_dossier": _check,
    "receive_supplement": _supplement,
    "register_birth": _birth,
    "register_residence": _residence,
    "issue_health_insurance_card": _health_insurance,
    "return_results": _return_newborn,
    "verify_beneficiary": _verify,
    "guide_online_submission": _guide,
    "process_dossier": _decide,
    "return_result": _return_allowance,
    "return_refusal": _return_refusal,
}
"""Step (BPMN element id) -> its form's data."""
