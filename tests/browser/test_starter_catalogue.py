"""The starter catalogue in the designer's studio: each shipped procedure opens in the modeler
with its lanes and the shared signature step, and the live checks (the bpmnlint rules the server
also runs) find nothing to report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.api.test_starter_catalogue import STARTER
from tests.browser.conftest import screenshot
from tests.browser.test_studio_modeler import lint_rows
from tests.browser.test_studio_modeler import open_modeler
from tests.browser.test_studio_modeler import shape

pytestmark = pytest.mark.browser


def test_each_starter_procedure_opens_in_the_modeler_with_nothing_to_report(as_user):
    designer = as_user("thietke")
    for code in STARTER:
        open_modeler(designer, f"/studio/{code}/edit")

        expect(shape(designer, "check_dossier")).to_have_count(1)
        assert lint_rows(designer).count() == 0, code
        assert "Không có gì cần báo" in designer.inner_text("[data-testid=lint-problems]"), code
        if code not in ("residence_confirmation", "permanent_residence"):
            expect(shape(designer, "sign_and_seal")).to_have_count(1)
        screenshot(designer, f"starter-{code}")


def test_the_certification_fee_shows_as_decided_by_its_table(as_user):
    designer = as_user("thietke")
    open_modeler(designer, "/studio/certify_copy/edit")
    designer.click("button[data-tab=metadata]")
    details = designer.locator("#metadata-form")

    assert details.locator("select[name=fee_kind]").input_value() == "decision"
    assert details.locator("input[name=fee_decision]").input_value() == "certification_fee"
    assert "theo bảng quyết định (DMN)" in details.inner_text()
    screenshot(designer, "starter-certify-copy-fee")
