"""Server-side validation of task data against the form-js schema named on a user task.

The browser renders the same schema with form-js; this module is the authority, so a client that
skips the browser cannot store what the form forbids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from engine.errors import InvalidData
from engine.rules.calendar import LOCAL_TZ

INPUT_TYPES = frozenset(
    {
        "textfield",
        "textarea",
        "number",
        "select",
        "radio",
        "checkbox",
        "checklist",
        "datetime",
        "taglist",
    }
)
MAX_DATA_BYTES = 64 * 1024
MAX_TEXT_LENGTH = 10_000
"""Characters in one text field when its form sets no `maxLength` of its own."""
_CONDITION = re.compile(r'^=\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|=)\s*"([^"]*)"\s*$')

RECEPTION_FORM = "reception.form.json"
"""A procedure's form of what the reception desk records besides the applicant (the newborn's
details, say): shown at the desk, checked when a dossier is received, kept in its data."""
REQUIRED = "Trường này là bắt buộc (required)."
NOT_AFTER_TODAY = "disallowFutureDates"
"""The custom property (form-js `properties`, set in the studio's form editor) of a date that
cannot lie ahead, a date of birth say: `"properties": {"disallowFutureDates": "true"}`, the
counterpart of form-js's own `disallowPassedDates`."""
ON_SLIPS = "printOnSlips"
"""The custom property of a reception form's field printed under the applicant on the receipt
(form 01), the supplement request (02) and the control slip (05): who the dossier is about
besides its applicant, the newborn's name and date of birth say."""
UNKNOWN = "Trường này không có trong biểu mẫu (unknown field)."


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    label: str
    validate: dict[str, Any]
    values: tuple[str, ...]
    subtype: str | None
    hide_when: str | None
    option_labels: tuple[tuple[str, str], ...] = ()
    """(value, label) of each option of a select, radio group or checklist."""
    not_after_today: bool = False
    """A date that cannot be after today in Vietnam (NOT_AFTER_TODAY)."""
    on_slips: bool = False
    """Printed on the slips (ON_SLIPS)."""


def parse_form(raw: bytes | str) -> list[Field]:
    """Read a form-js schema; raises ValueError with a readable reason when it is not one."""
    schema = json.loads(raw)
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
        raise ValueError("a form-js schema is an object with a 'components' list")
    fields = []
    for component in _walk(schema["components"]):
        if component.get("type") not in INPUT_TYPES:
            continue
        key = component.get("key")
        if not isinstance(key, str) or not key.isidentifier():
            raise ValueError(f"component {component.get('id')!r} needs a key that is an identifier")
        hide = (component.get("conditional") or {}).get("hide")
        properties = component.get("properties") or {}
        fields.append(
            Field(
                key=key,
                type=component["type"],
                label=str(component.get("label") or key),
                validate=dict(component.get("validate") or {}),
                values=tuple(str(v.get("value")) for v in component.get("values") or []),
                subtype=component.get("subtype"),
                hide_when=hide if isinstance(hide, str) else None,
                option_labels=tuple(
                    (str(v.get("value")), str(v.get("label") or v.get("value")))
                    for v in component.get("values") or []
                ),
                not_after_today=_flag(properties.get(NOT_AFTER_TODAY)),
                on_slips=_flag(properties.get(ON_SLIPS)),
            )
        )
    return fields


def _flag(value: Any) -> bool:
    """A custom property's truth: the form editor writes every value as text."""
    return value is True or str(value).strip().lower() == "true"


def today_in_vietnam() -> date:
    return datetime.now(LOCAL_TZ).date()


def answer_labels(forms: Iterable[list[Field]]) -> dict[str, tuple[str, dict[str, str]]]:
    """For the history: each field key's label and its options' labels, over the forms given
    (a key several forms share keeps the first label found)."""
    labels: dict[str, tuple[str, dict[str, str]]] = {}
    for fields in forms:
        for field in fields:
            labels.setdefault(field.key, (field.label, dict(field.option_labels)))
    return labels


def _walk(components: list[Any]) -> list[dict[str, Any]]:
    """Flatten groups and dynamic lists so nested inputs are validated too."""
    flat: list[dict[str, Any]] = []
    for component in components:
        if isinstance(component, dict):
            flat.append(component)
            flat.extend(_walk(component.get("components") or []))
    return flat


def hidden(field: Field, data: dict[str, Any]) -> bool:
    """Evaluate the `=key = "v"` / `=key != "v"` subset of FEEL that our forms use."""
    if field.hide_when is None:
        return False
    match = _CONDITION.match(field.hide_when)
    if match is None:
        return False
    key, operator, value = match.groups()
    equal = str(data.get(key)) == value
    return equal if operator == "=" else not equal


def validate(fields: list[Field] | None, data: Any, *, today: date | None = None) -> dict[str, Any]:
    """Return the cleaned data (hidden fields dropped) or raise InvalidData naming each field.
    `today` (Vietnam's date, now by default) bounds the dates marked NOT_AFTER_TODAY."""
    if not isinstance(data, dict):
        raise InvalidData(
            "task data must be a JSON object", {"data": ["Phải là một đối tượng JSON."]}
        )
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_DATA_BYTES:
        raise InvalidData("task data is too large", {"data": ["Dữ liệu quá lớn (tối đa 64 KB)."]})
    if fields is None:
        return dict(data)
    known = {field.key for field in fields}
    errors: dict[str, list[str]] = {key: [UNKNOWN] for key in data if key not in known}
    cleaned: dict[str, Any] = {}
    for field in fields:
        if hidden(field, data):
            continue
        value = data.get(field.key)
        problems = _check(field, value) or _check_not_after(field, value, today)
        if problems:
            errors[field.key] = problems
        elif field.key in data:
            cleaned[field.key] = value
    if errors:
        raise InvalidData("the form data is not valid", errors)
    return cleaned


def _check(field: Field, value: Any) -> list[str]:
    if value is None or value == "" or value == []:
        return [REQUIRED] if field.validate.get("required") else []
    checker = _CHECKERS.get(field.type, _check_text)
    return checker(field, value)


def _check_not_after(field: Field, value: Any, today: date | None) -> list[str]:
    """A date marked NOT_AFTER_TODAY (already a valid date or date-time) is today at the latest."""
    if not field.not_after_today or not isinstance(value, str) or not value:
        return []
    moment = datetime.fromisoformat(value)
    day = moment.astimezone(LOCAL_TZ).date() if moment.tzinfo else moment.date()
    limit = today or today_in_vietnam()
    if day <= limit:
        return []
    shown = limit.strftime("%d/%m/%Y")
    return [f"Ngày này không được sau hôm nay, {shown} (must not be after today, {shown})."]


def _check_text(field: Field, value: Any) -> list[str]:
    if not isinstance(value, str):
        return ["Phải là chuỗi ký tự (must be text)."]
    rules = field.validate
    problems = []
    if "minLength" in rules and len(value) < int(rules["minLength"]):
        problems.append(f"Tối thiểu {rules['minLength']} ký tự (at least {rules['minLength']}).")
    longest = int(rules.get("maxLength", MAX_TEXT_LENGTH))
    if len(value) > longest:
        problems.append(f"Tối đa {longest} ký tự (at most {longest}).")
    pattern = rules.get("pattern")
    if pattern and re.fullmatch(pattern, value) is None:
        problems.append("Không đúng định dạng (does not match the required format).")
    return problems


def _check_number(field: Field, value: Any) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ["Phải là số (must be a number)."]
    rules = field.validate
    problems = []
    if "min" in rules and value < rules["min"]:
        problems.append(f"Không được nhỏ hơn {rules['min']} (minimum {rules['min']}).")
    if "max" in rules and value > rules["max"]:
        problems.append(f"Không được lớn hơn {rules['max']} (maximum {rules['max']}).")
    return problems


def _check_choice(field: Field, value: Any) -> list[str]:
    if field.values and str(value) not in field.values:
        return [f"Chỉ chọn một trong: {', '.join(field.values)} (not an allowed value)."]
    return []


def _check_choices(field: Field, value: Any) -> list[str]:
    if not isinstance(value, list):
        return ["Phải là danh sách (must be a list)."]
    return [msg for item in value for msg in _check_choice(field, item)][:1]


def _check_checkbox(field: Field, value: Any) -> list[str]:
    return [] if isinstance(value, bool) else ["Phải là đúng/sai (must be true or false)."]


def _check_datetime(field: Field, value: Any) -> list[str]:
    if not isinstance(value, str):
        return ["Phải là ngày/giờ dạng chuỗi (must be a date or time text)."]
    parse: Callable[[str], object] = date.fromisoformat
    if field.subtype == "datetime":
        parse = datetime.fromisoformat
    elif field.subtype == "time":
        return [] if re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", value) else ["Giờ không hợp lệ (HH:MM)."]
    try:
        parse(value)
    except ValueError:
        return ["Ngày không hợp lệ (use YYYY-MM-DD)."]
    return []


_CHECKERS: dict[str, Callable[[Field, Any], list[str]]] = {
    "number": _check_number,
    "select": _check_choice,
    "radio": _check_choice,
    "checklist": _check_choices,
    "taglist": _check_choices,
    "checkbox": _check_checkbox,
    "datetime": _check_datetime,
}


def required_text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidData(f"{field} is required", {field: ["Trường này là bắt buộc."]})
    return text


def validate_part(
    fields: list[Field], data: dict[str, Any], *, today: date | None = None
) -> dict[str, Any]:
    """Check the form's own keys of `data` (the rest belongs to others, e.g. the delivery
    chosen at reception); the data with those keys cleaned."""
    keys = {field.key for field in fields}
    own = {key: value for key, value in data.items() if key in keys}
    cleaned = validate(fields, own, today=today)
    return {**{key: value for key, value in data.items() if key not in keys}, **cleaned}
