"""Advice on a diagram that still publishes: a gateway whose conditions may all be false with no
default flow (the dossier would stop there), a message only another system can send. Each names
the element, and a gateway's advice names values that find no way out."""

from __future__ import annotations

from pathlib import Path

from engine.bpmn.advice import advice_for
from engine.bpmn.compiler import compile_procedure

CONSTRUCTS = Path(__file__).resolve().parent.parent / "data" / "constructs"


def advice_on(diagram: str, *, replace: tuple[str, str] = ("", ""), process: str | None = None):
    xml = (CONSTRUCTS / f"{diagram}.bpmn").read_text().replace(*replace)
    files = {f"{diagram}.bpmn": xml.encode()}
    for form in CONSTRUCTS.glob("*.form.json"):
        files[form.name] = form.read_bytes()
    return advice_for(compile_procedure(files, process or diagram))


def test_a_gateway_without_a_default_names_a_value_no_condition_takes():
    [gap] = advice_on("gateway_gap")

    assert gap.element_id == "route"
    assert "copies = 2" in gap.message and "[Số bản]" in gap.message
    assert gap.message.startswith("Không nhánh nào của cổng đúng")


def test_complementary_conditions_and_a_default_flow_need_no_advice():
    complementary = advice_on("gateway_gap", replace=("copies &lt; 2", "copies &lt;= 2"))
    with_default = advice_on(
        "gateway_gap", replace=('id="route" name="Số bản"', 'id="route" default="f_few"')
    )

    assert complementary == [] and with_default == []


def test_a_choice_on_a_form_field_is_judged_on_the_form_s_options():
    uncovered = advice_on("gateway_gap", replace=('("refuse", "return")', '("refuse",)'))

    assert [
        (problem.element_id, "decision = 'return'" in problem.message) for problem in uncovered
    ] == [
        ("route", False),
        ("outcome", True),
    ]


def test_conditions_the_check_cannot_read_get_no_guess():
    unreadable = advice_on("gateway_gap", replace=("copies &gt; 2", "len(applicant) &gt; 2"))

    assert [problem.element_id for problem in unreadable] == []


def test_a_message_only_another_system_sends_is_named_on_its_own_catch_event():
    [waiting] = advice_on("event_gateway_deadline")

    assert waiting.element_id == "supplied"  # not the event-based gateway before it
    assert "supplement_received" in waiting.message and "/api/v1/messages" in waiting.message


def test_a_message_one_pool_sends_another_needs_no_advice():
    assert advice_on("message_collaboration", process="message_collaboration") == []
