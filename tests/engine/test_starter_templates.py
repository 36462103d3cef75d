"""The starter template compiles for every field and limit, without advice, with a lane role for
each step and step limits that never exceed the statutory limit; the blank diagram compiles too.
Neither lives where `flask prepare` would publish it."""

from __future__ import annotations

import pytest

from engine.access.roles import FIELD_LABELS
from engine.access.roles import LANE_ROLES
from engine.bpmn.advice import advice_for
from engine.bpmn.compiler import compile_procedure
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.starter import TEMPLATES
from engine.catalogue.starter import starter_files
from tests.support.seeded import PROCESSES


def compiled(field: str, time_limit: int, unit: str = "days", start: str = "starter"):
    meta = ProcedureMetadata(
        code="thu_tuc_mau",
        name_vi='Thủ tục "mẫu" & thử',
        name_en="Sample",
        field=field,
        time_limit=time_limit,
        time_limit_unit=unit,
    )
    files = starter_files(meta, start)
    return compile_procedure({name: text.encode() for name, text in files.items()})


@pytest.mark.parametrize("field", sorted(FIELD_LABELS))
@pytest.mark.parametrize(("limit", "unit"), [(10, "days"), (3, "days"), (1, "days"), (8, "hours")])
def test_the_starter_template_compiles_for_every_field_and_limit(field, limit, unit):
    procedure = compiled(field, limit, unit)
    assert advice_for(procedure) == []
    assert {step.role for step in procedure.steps.values()} <= LANE_ROLES
    assert all(step.form for step in procedure.steps.values())
    longest = ("check_dossier", "appraise", "leader_approval", "return_result")
    days = [procedure.steps[s].time_limit for s in longest]
    assert sum(step.amount for step in days if step is not None) <= limit


def test_the_blank_diagram_compiles_and_the_templates_are_not_in_the_catalogue():
    assert compiled("land", 5, start="blank").steps == {}
    assert not TEMPLATES.is_relative_to(PROCESSES)
