"""A leader and a designer simplify social allowance safely: version 2 drops the step
`process_dossier` (as the studio's journey does); they compare the two versions (both diagrams
coloured, the change list, the before/after table), preview the move of the running dossiers
(one can move, one stands at the dropped step and cannot, with its reason in plain words),
migrate all that can with progress shown, and open the moved dossier to see the event."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
CODE = "social_allowance"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _without_process_dossier() -> dict[str, bytes]:
    """The shipped files with `process_dossier` removed and its neighbours joined."""
    folder = PROCESSES / CODE
    files = {f.name: f.read_bytes() for f in folder.iterdir() if f.name != "metadata.json"}
    root = etree.fromstring(files[f"{CODE}.bpmn"])
    gone = {"process_dossier", "flow_process_to_gateway"}
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.get("id") in gone or element.get("bpmnElement") in gone:
            element.getparent().remove(element)
        elif element.tag == f"{{{BPMN}}}flowNodeRef" and element.text == "process_dossier":
            element.getparent().remove(element)
        elif element.get("id") == "flow_merge_to_process":
            element.set("targetRef", "decision_made")
    edge = next(e for e in root.iter() if e.get("bpmnElement") == "flow_merge_to_process")
    for waypoint, (x, y) in zip(edge, ((765, 170), (965, 170)), strict=False):
        waypoint.set("x", str(x))
        waypoint.set("y", str(y))
    for element in root.iter(f"{{{BPMN}}}incoming", f"{{{BPMN}}}outgoing"):
        if element.text == "flow_process_to_gateway":
            element.text = "flow_merge_to_process"
    files[f"{CODE}.bpmn"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return files


@pytest.fixture
def two_versions(new_uow, actor) -> dict[str, str]:
    """Two dossiers on version 1 (one at verify_beneficiary, one at process_dossier), then
    version 2 published; their codes."""
    from engine.catalogue.folders import read_folder
    from engine.catalogue.procedures import publish
    from engine.dossiers.receive import Submission
    from engine.dossiers.receive import submit
    from engine.work import tasks

    receptionist, officer = actor("tiepnhan1"), actor("ldxh1")
    codes = {}
    for name, full_name, id_number in (
        ("waiting", "Trần Thị Mai", "001234567801"),
        ("advanced", "Lý Văn Bình", "001234567802"),
    ):
        with new_uow() as uow:
            dossier = submit(
                uow,
                receptionist,
                Submission(
                    procedure_code=CODE,
                    applicant={"full_name": full_name, "id_number": id_number},
                    channel="in_person",
                    data={},
                ),
            )
        codes[name] = dossier.code
        if name == "advanced":
            verify = dossier.tasks[0].id
            with new_uow() as uow:
                [guide] = tasks.complete(
                    uow, officer, verify, {"beneficiary_group": "elderly_80", "eligible": "yes"}
                )
            with new_uow() as uow:
                tasks.complete(uow, receptionist, guide.id, {"submission_channel": "assisted"})
    meta, _ = read_folder(PROCESSES / CODE)
    with new_uow() as uow:
        publish(uow, actor("thietke"), meta, _without_process_dossier(), note="Bỏ bước xử lý")
    return codes


def test_compare_preview_migrate_and_see_the_event(as_user, two_versions):
    leader = as_user("lanhdao1")
    leader.goto("/studio")
    leader.click(f"[data-testid=compare-{CODE}]")
    expect(leader.locator("#diff-from[data-ready=true]")).to_have_count(1)
    expect(leader.locator("#diff-to[data-ready=true]")).to_have_count(1)
    assert leader.locator("#diff-from .djs-element.diff-removed").count() >= 1
    assert leader.locator("#diff-to .djs-element.diff-changed").count() >= 1  # the joined flow
    expect(leader.locator("[data-testid=change-list]")).to_contain_text("process_dossier")
    table = leader.locator("[data-testid=before-after]")
    expect(table).to_contain_text("Số bước do người xử lý")
    screenshot(leader, "version-compare")
    leader.locator(".diff-diagrams").scroll_into_view_if_needed()
    screenshot(leader, "version-compare-diagrams")
    leader.locator("[data-testid=change-list]").scroll_into_view_if_needed()
    screenshot(leader, "version-compare-changes")
    leader.emulate_media(media="print")
    screenshot(leader, "version-compare-print")
    leader.emulate_media(media="screen")

    designer = as_user("thietke")
    designer.goto("/studio")
    designer.click(f"[data-testid=migrate-{CODE}]")
    movable, blocked = (
        designer.locator("[data-testid=movable]"),
        designer.locator("[data-testid=blocked]"),
    )
    expect(movable).to_contain_text(two_versions["waiting"])
    expect(blocked).to_contain_text(two_versions["advanced"])
    expect(blocked).to_contain_text("Bước đang mở “process_dossier” không có trong v2")
    screenshot(designer, "version-migrate-preview")
    designer.once("dialog", lambda dialog: dialog.accept())
    designer.click("[data-testid=migrate-selected]")
    expect(designer.locator("[data-testid=job]")).to_have_attribute("data-state", "done")
    expect(designer.locator("[data-testid=job]")).to_contain_text("1/1")
    screenshot(designer, "version-migrate-done")

    officer = as_user("ldxh1")
    officer.goto("/dossiers")
    officer.click(f"text={two_versions['waiting']}")
    history = officer.locator("body")
    expect(history).to_contain_text("Chuyển sang phiên bản khác của quy trình")
    expect(history).to_contain_text("v1 → v2")
    officer.locator("text=Chuyển sang phiên bản khác của quy trình").scroll_into_view_if_needed()
    screenshot(officer, "version-migrated-dossier")
