"""Fee rules of a procedure and the amount a dossier owes, computed from its data at receipt.

Rules (procedure metadata `fee`), amounts in đồng:
- {"kind": "free"}
- {"kind": "fixed", "amount": 10000}: per dossier, or per copy with "per_copy": true
- {"kind": "per_page", "first_pages": 2, "first_price": 2000, "next_price": 1000,
  "cap": 200000}: per copy, the cap (optional) applying to each copy (certification of copies).
- {"kind": "decision", "decision": "certification_fee"}: the procedure's decision table of that id
  sets `fee` from the dossier's data, so a rule with more cases than these kinds (a late
  registration pays, one on time does not) stays data the designer changes.
The dossier data gives `pages` and `copies` (each 1 when absent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.errors import InvalidData

KINDS = ("free", "fixed", "per_page", "decision")
_KEYS: dict[str, dict[str, bool]] = {
    "free": {},
    "fixed": {"amount": True, "per_copy": False},
    "per_page": {"first_pages": True, "first_price": True, "next_price": True, "cap": False},
    "decision": {"decision": True},
}
"""Each kind's keys, and whether each is required."""


def rule_problems(rule: Any) -> list[str]:
    """What is wrong with a fee rule; empty when it can be used."""
    if not isinstance(rule, dict) or rule.get("kind") not in KINDS:
        return [f"Quy tắc phí phải có 'kind' là một trong: {', '.join(KINDS)}."]
    keys = _KEYS[rule["kind"]]
    problems = [f"Thiếu '{key}'." for key, required in keys.items() if required and key not in rule]
    problems += [f"Không dùng '{key}'." for key in rule if key != "kind" and key not in keys]
    for key in keys:
        value = rule.get(key)
        if key == "per_copy":
            if value is not None and not isinstance(value, bool):
                problems.append("'per_copy' là true hoặc false.")
        elif key == "decision":
            if value is not None and (not isinstance(value, str) or not value.strip()):
                problems.append("'decision' là mã bảng quyết định (decision id).")
        elif value is not None and not _is_count(value):
            problems.append(f"'{key}' phải là số nguyên không âm.")
    return problems


def check_rule(rule: Any, field: str = "fee") -> None:
    problems = rule_problems(rule)
    if problems:
        raise InvalidData("the fee rule is not valid", {field: problems})


Decide = Callable[[str, dict[str, Any]], dict[str, Any]]
"""Runs one of the procedure's decision tables on inputs and gives its outputs by name."""


def amount_due(
    rule: dict[str, Any] | None, data: dict[str, Any], decide: Decide | None = None
) -> int | None:
    """The fee for a dossier with `data`; None when the procedure states no rule. A `decision`
    rule needs `decide`."""
    if rule is None:
        return None
    pages, copies = _quantity(data, "pages"), _quantity(data, "copies")
    kind = rule["kind"]
    if kind == "free":
        return 0
    if kind == "decision":
        if decide is None:
            raise ValueError("a decision fee rule needs its procedure's decision tables")
        return _decided(decide, rule["decision"], {**data, "pages": pages, "copies": copies})
    if kind == "fixed":
        return int(rule["amount"]) * (copies if rule.get("per_copy") else 1)
    first = min(pages, int(rule["first_pages"]))
    per_copy = first * int(rule["first_price"]) + (pages - first) * int(rule["next_price"])
    cap = rule.get("cap")
    if cap is not None:
        per_copy = min(per_copy, int(cap))
    return per_copy * copies


def _decided(decide: Decide, decision: str, inputs: dict[str, Any]) -> int:
    """The table's `fee`: a whole number of đồng, or the designer's table is wrong."""
    outputs = decide(decision, inputs)
    fee = outputs.get("fee")
    if isinstance(fee, float) and fee.is_integer():
        fee = int(fee)
    if not isinstance(fee, int) or not _is_count(fee):
        raise InvalidData(
            f"the decision table {decision!r} did not give a fee",
            {
                "fee": [
                    f"Bảng quyết định '{decision}' phải cho cột 'fee' là số đồng nguyên ≥ 0 "
                    f"(gave {fee!r})."
                ]
            },
        )
    return fee


def _quantity(data: dict[str, Any], key: str) -> int:
    value = data.get(key, 1)
    if not _is_count(value) or value < 1:
        raise InvalidData(
            f"'{key}' must be a whole number from 1", {f"data.{key}": ["Nhập số nguyên ≥ 1."]}
        )
    return int(value)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
