"""Valid data for each step's form (processes/*/<step>.form.json), following a dossier's story:
the values a civil servant would type. The two stories the analytics figures lean on have
hand-written fillers; every other procedure's forms are filled from their form-js schema."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

from engine.demo.plan import FAMILY
from engine.demo.plan import GIVEN
from engine.demo.plan import INCOMPLETE_SHARE
from engine.demo.plan import MIDDLE
from engine.demo.plan import SETBACK_SHARE
from engine.demo.plan import UNANSWERED_SHARE
from engine.demo.plan import Story
from engine.rules.forms import Field
from engine.rules.forms import hidden


@dataclass(frozen=True)
class _Step:
    story: Story
    rng: random.Random
    rounds: int
    """How many times the desk has found the dossier incomplete so far."""
    today: date


def form_data(
    element_id: str,
    story: Story,
    rng: random.Random,
    *,
    rounds: int,
    today: date,
    fields: list[Field] | None = None,
) -> dict[str, Any]:
    """The step's data: its hand-written filler when the story's procedure has one, else values
    drawn from the step's form `fields` (nothing when the step has no form)."""
    fill = FORMS.get(story.procedure, {}).get(element_id)
    if fill:
        return fill(_Step(story, rng, rounds, today))
    return generic_data(fields or [], story, rng, today=today)


HAPPY = frozenset({"yes", "received", "sign", "valid", "confirmed", "approve"})
"""Option values that move a dossier on to its result."""
SETBACK_RATES = {"dossier_complete": INCOMPLETE_SHARE, "supplement_outcome": UNANSWERED_SHARE}
"""How often a field with a HAPPY option takes another one (found incomplete, never
supplemented); any other such field (refuse, not eligible, not found) at SETBACK_SHARE."""
DELIVERY = {"online": "electronic", "postal": "postal"}
"""The result goes back the way the dossier came; in person otherwise."""
_DIGITS = re.compile(r"^\^?\[0-9\]\{(\d+)\}\$?$")
_MONTH = "^[0-9]{4}-(0[1-9]|1[0-2])$"
NOTES = (
    "Đã kiểm tra, thông tin khớp với hồ sơ gốc",
    "Đúng quy định, đề nghị giải quyết",
    "Đã đối chiếu với cơ sở dữ liệu",
    "Thông tin do công dân cung cấp",
)
DOCUMENTS = (
    "Giấy khai sinh",
    "Bằng tốt nghiệp trung học phổ thông",
    "Giấy chứng nhận quyền sử dụng đất",
    "Hợp đồng mua bán xe máy",
    "Sổ hộ khẩu",
)
REGISTERS = ("Sổ đăng ký khai sinh", "Sổ đăng ký kết hôn", "Sổ đăng ký khai tử")


def generic_data(
    fields: list[Field], story: Story, rng: random.Random, *, today: date
) -> dict[str, Any]:
    """Valid values for a form's required fields and choices, in form order (a field hidden by
    the values chosen so far is left out, as the form hides it)."""
    data: dict[str, Any] = {}
    for field in fields:
        if hidden(field, data):
            continue
        if field.type in ("select", "radio") and field.values:
            data[field.key] = _choice(field, story, rng)
        elif field.validate.get("required") or field.type == "checkbox":
            data[field.key] = _value(field, story, rng, today)
    return data


def _choice(field: Field, story: Story, rng: random.Random) -> str:
    if field.key == "delivery_method":
        wanted = DELIVERY.get(story.channel, "in_person")
        return wanted if wanted in field.values else field.values[0]
    happy = [value for value in field.values if value in HAPPY]
    if not happy:
        return rng.choice(field.values)
    others = [value for value in field.values if value not in HAPPY]
    if others and rng.random() < SETBACK_RATES.get(field.key, SETBACK_SHARE):
        return rng.choice(others)
    return happy[0]


def _value(field: Field, story: Story, rng: random.Random, today: date) -> Any:
    rules = field.validate
    if field.type == "checkbox":
        return True
    if field.type in ("checklist", "taglist"):
        return list(field.values[:1])
    if field.type == "number":
        low = int(rules.get("min", 1))
        high = int(rules.get("max", low + 9))
        return rng.randint(low, min(high, low + 4))
    if field.type == "datetime":
        day = today - timedelta(days=rng.randrange(0, 30))
        if field.subtype == "time":
            return f"{rng.randint(7, 16):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        return f"{day.isoformat()}T09:00:00" if field.subtype == "datetime" else day.isoformat()
    return _text(field, story, rng, today)[: int(rules.get("maxLength", 200))]


def _text(field: Field, story: Story, rng: random.Random, today: date) -> str:
    pattern = str(field.validate.get("pattern") or "")
    digits = _DIGITS.match(pattern)
    if digits:
        count = int(digits.group(1))
        return f"0{rng.randrange(10 ** (count - 1)):0{count - 1}d}"
    if pattern == _MONTH:
        return f"{today.year:04d}-{today.month:02d}"
    for matches, text in _TEXTS:
        if matches(field.key):
            return text(story, rng, today)
    return rng.choice(NOTES)


_TEXTS: tuple[tuple[Callable[[str], bool], Callable[[Story, random.Random, date], str]], ...] = (
    (lambda key: "address" in key, lambda story, rng, today: story.applicant["address"]),
    (lambda key: key.startswith("document"), lambda story, rng, today: rng.choice(DOCUMENTS)),
    (
        lambda key: key.startswith("register_book"),
        lambda story, rng, today: (
            f"{rng.choice(REGISTERS)} năm {rng.randint(1985, today.year - 1)}"
        ),
    ),
    (lambda key: key == "tracking_number", lambda story, rng, today: f"EP{story.number:07d}VN"),
    (
        lambda key: "reason" in key,
        lambda story, rng, today: "Hồ sơ không đủ điều kiện giải quyết theo quy định",
    ),
    (
        lambda key: key.startswith("missing"),
        lambda story, rng, today: "Bản sao giấy tờ chứng minh nhân thân",
    ),
    (
        lambda key: key.endswith("unit"),
        lambda story, rng, today: "UBND xã nơi công dân cư trú trước đây",
    ),
    (
        lambda key: key.startswith("requested"),
        lambda story, rng, today: "Cải chính ngày sinh trong giấy khai sinh cho đúng hồ sơ gốc",
    ),
    (
        lambda key: key.endswith(("name", "holder", "partner")),
        lambda story, rng, today: f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
    ),
    (
        lambda key: key.endswith(("number", "_no")),
        lambda story, rng, today: f"{story.number}/{today.year}",
    ),
)
"""A text field's value by its key (first match), when its pattern asks for nothing."""


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


FORMS: dict[str, dict[str, Callable[[_Step], dict[str, Any]]]] = {
    "newborn_bundle": {
        "check_dossier": _check,
        "receive_supplement": _supplement,
        "register_birth": _birth,
        "register_residence": _residence,
        "issue_health_insurance_card": _health_insurance,
        "return_results": _return_newborn,
    },
    "social_allowance": {
        "receive_supplement": _supplement,
        "verify_beneficiary": _verify,
        "guide_online_submission": _guide,
        "process_dossier": _decide,
        "return_result": _return_allowance,
        "return_refusal": _return_refusal,
    },
}
"""Procedure -> step (BPMN element id) -> its form's data: the stories the analytics figures
lean on. A step not listed is filled by generic_data."""
