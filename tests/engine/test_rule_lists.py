"""The one-stop checks run twice: live in the modeler (bpmnlint plugin, ui/studio/lint/) and on
the server at validate and publish (engine/bpmn/checks/). The two lists must name the same rules
with the same severities, or the studio and the API would disagree about a diagram."""

from __future__ import annotations

import re
from pathlib import Path

from engine.bpmn.checks import RULES
from engine.bpmn.checks.base import ERROR

LINT = Path(__file__).resolve().parents[2] / "ui" / "studio" / "lint"
SEVERITY_IN_JS = {"error": "error", "warn": "warning"}


def test_the_modeler_and_the_server_check_the_same_rules_with_the_same_severities():
    index = (LINT / "index.js").read_text()
    block = index[index.index("export const MOT_CUA_RULES") :].split("};", 1)[0]
    in_modeler = {
        rule: SEVERITY_IN_JS[severity]
        for rule, severity in re.findall(r"'(mot-cua/[a-z-]+)': '(error|warn)'", block)
    }
    files = {f"mot-cua/{path.stem}" for path in (LINT / "rules").glob("*.js")}

    assert in_modeler == {rule.id: rule.severity for rule in RULES}
    assert files == set(in_modeler)
    assert {rule.id for rule in RULES if rule.severity == ERROR} == {
        "mot-cua/lane-role",
        "mot-cua/end-outcome",
    }
