"""The starter catalogue (issue 22) over HTTP, as the demo users work it: each procedure's main
path and one exceptional path, its decision tables on their edges, the shared signature sub-flow
in its callers, the deadline of a dossier received just before and just after 15:00 on a Friday,
the national code in the catalogue search and on form 01, and every shipped folder passing the
studio's checks with no problem and no warning."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.catalogue.demo import COMMUNE_USERS
from engine.catalogue.folders import METADATA_FILE
from engine.catalogue.folders import read_folder
from engine.dossiers.receive import Submission
from engine.dossiers.receive import receive
from engine.rules.calendar import to_local
from tests.api.journeys import APPLICANT
from tests.api.test_procedures import upload
from tests.support.seeded import PROCESSES

Step = tuple[str, str, dict[str, Any]]
"""(element id, the C01 demo user who works it, the form data)."""

CHECKED: list[Step] = [("check_dossier", "tiepnhan1", {"dossier_complete": "yes"})]
SIGNED: list[Step] = [
    ("leader_sign", "lanhdao1", {"leader_decision": "sign"}),
    ("seal_and_record", "hotich1", {"record_book_number": "Quyển 01/2026, số 12"}),
]
NOT_SIGNED: list[Step] = [
    (
        "leader_sign",
        "lanhdao1",
        {"leader_decision": "refuse", "leader_note": "Giấy tờ không thuộc thẩm quyền"},
    )
]
RETURNED: list[Step] = [("return_result", "tiepnhan1", {"delivery_method": "in_person"})]
REFUSAL: list[Step] = [
    (
        "return_refusal",
        "tiepnhan1",
        {"delivery_method": "in_person", "refusal_reason": "Nêu trong văn bản trả lời"},
    )
]
SUPPLEMENT: list[Step] = [
    ("check_dossier", "tiepnhan1", {"dossier_complete": "no", "missing_items": "Bản chính"}),
    ("receive_supplement", "tiepnhan1", {"supplement_outcome": "received"}),
]
NOT_IN_DATABASE = {"found_in_database": "no", "resided_elsewhere": "yes"}

RECEIVED_DATA: dict[str, dict[str, Any]] = {
    "certify_copy": {"document_name": "Bằng tốt nghiệp", "pages": 2, "copies": 1},
    "certify_signature": {"document_name": "Giấy ủy quyền", "sheets": 1},
    "marriage_registration": {
        "husband_full_name": "Nguyễn Văn An",
        "husband_id_number": "001234567890",
        "wife_full_name": "Trần Thị Bích",
        "wife_id_number": "001234567891",
    },
    "death_registration": {
        "deceased_full_name": "Lê Văn Cường",
        "deceased_id_number": "001234567892",
        "date_of_death": "2026-03-01",
        "days_since_death": 5,
    },
    "marital_status_certificate": {"purpose": "marriage", "marriage_partner": "Trần Thị Bích"},
    "civil_status_extract_copy": {
        "record_type": "birth",
        "record_holder": "Nguyễn Văn An",
        "copies": 2,
    },
    "civil_status_correction": {
        "request_kind": "correction",
        "requested_change": "Cải chính năm sinh của mẹ trong giấy khai sinh",
    },
    "residence_confirmation": {
        "residence_address": "Thôn Đông, Xã Tân Hòa",
        "confirmation_content": "current",
    },
    "register_book_copy": {
        "register_book": "Sổ đăng ký khai sinh năm 1990",
        "entry_holder": "Nguyễn Văn An",
        "copies": 1,
    },
    "permanent_residence": {
        "residence_address": "Thôn Đông, Xã Tân Hòa",
        "legal_residence_proof": "in_database",
    },
}
"""What the reception desk records for each procedure (its reception.form.json)."""

MAIN_PATHS: dict[str, list[Step]] = {
    "certify_copy": [
        *CHECKED,
        ("compare_with_original", "hotich1", {"copy_valid": "yes", "certification_number": "1"}),
        *SIGNED,
        *RETURNED,
    ],
    "certify_signature": [
        *CHECKED,
        ("witness_signing", "tiepnhan1", {"signed_in_presence": "yes"}),
        *SIGNED,
        *RETURNED,
    ],
    "marriage_registration": [
        *CHECKED,
        (
            "check_marital_status",
            "hotich1",
            {"found_in_database": "yes", "resided_elsewhere": "yes"},
        ),
        ("register_marriage", "hotich1", {"both_present": "yes", "marriage_register_number": "5"}),
        *SIGNED,
        *RETURNED,
    ],
    "death_registration": [
        *CHECKED,
        (
            "register_death",
            "hotich1",
            {"death_register_number": "3", "funeral_benefit": "social_insurance"},
        ),
        *SIGNED,
        ("remove_permanent_residence", "congan1", {"residence_removal_number": "XTT-1"}),
        ("settle_funeral_allowance", "bhxh1", {"allowance_decision_number": "MT-1"}),
        *RETURNED,
    ],
    "marital_status_certificate": [
        *CHECKED,
        (
            "check_marital_status",
            "hotich1",
            {"found_in_database": "yes", "resided_elsewhere": "no"},
        ),
        ("issue_certificate", "hotich1", {"marital_status": "single", "certificate_number": "7"}),
        *SIGNED,
        *RETURNED,
    ],
    "civil_status_extract_copy": [
        *CHECKED,
        ("find_record", "hotich1", {"record_found": "yes", "extract_number": "TL-9"}),
        *SIGNED,
        *RETURNED,
    ],
    "civil_status_correction": [
        *CHECKED,
        ("appraise_request", "hotich1", {"appraisal": "valid"}),
        ("record_change", "hotich1", {"change_register_number": "CC-2"}),
        *SIGNED,
        *RETURNED,
    ],
    "residence_confirmation": [
        *CHECKED,
        ("lookup_residence", "congan1", {"in_database": "yes"}),
        ("issue_confirmation", "congan1", {"confirmation_number": "CT07-4"}),
        *RETURNED,
    ],
    "register_book_copy": [
        *CHECKED,
        ("find_in_register", "hotich1", {"entry_found": "yes", "register_page": "Trang 12"}),
        *SIGNED,
        *RETURNED,
    ],
    "permanent_residence": [
        ("check_dossier", "congan1", {"dossier_complete": "yes"}),
        ("appraise_residence", "congan1", {"residence_approved": "yes"}),
        ("update_residence_database", "congan1", {"residence_notice_number": "TB-3"}),
        *RETURNED,
    ],
}

EXCEPTIONAL_PATHS: dict[str, tuple[str, list[Step], str]] = {
    "certify_copy": (
        "the original was altered: no certification",
        [
            *CHECKED,
            ("compare_with_original", "hotich1", {"copy_valid": "no", "refusal_reason": "Tẩy xóa"}),
            *REFUSAL,
        ],
        "refused",
    ),
    "certify_signature": (
        "the leader refuses to sign in the shared sub-flow",
        [
            *CHECKED,
            ("witness_signing", "tiepnhan1", {"signed_in_presence": "yes"}),
            *NOT_SIGNED,
            *REFUSAL,
        ],
        "refused",
    ),
    "marriage_registration": (
        "verification with the former commune finds a party not free to marry",
        [
            *CHECKED,
            ("check_marital_status", "hotich1", NOT_IN_DATABASE),
            (
                "verify_with_other_commune",
                "hotich1",
                {"verifying_unit": "Xã Bình An", "verification_result": "not_eligible"},
            ),
            *REFUSAL,
        ],
        "refused",
    ),
    "death_registration": (
        "a supplement, then a social-assistance beneficiary's funeral support",
        [
            *SUPPLEMENT,
            *CHECKED,
            (
                "register_death",
                "hotich1",
                {"death_register_number": "4", "funeral_benefit": "social_assistance"},
            ),
            *SIGNED,
            ("pay_funeral_support", "ldxh1", {"support_decision_number": "HT-1"}),
            ("remove_permanent_residence", "congan1", {"residence_removal_number": "XTT-2"}),
            *RETURNED,
        ],
        "result_returned",
    ),
    "marital_status_certificate": (
        "verification with the former place of residence confirms the status",
        [
            *CHECKED,
            ("check_marital_status", "hotich1", NOT_IN_DATABASE),
            (
                "verify_with_other_commune",
                "hotich1",
                {"verifying_unit": "Xã Bình An", "verification_result": "confirmed"},
            ),
            (
                "issue_certificate",
                "hotich1",
                {"marital_status": "single", "certificate_number": "8"},
            ),
            *SIGNED,
            *RETURNED,
        ],
        "result_returned",
    ),
    "civil_status_extract_copy": (
        "no record in the register: refused",
        [*CHECKED, ("find_record", "hotich1", {"record_found": "no"}), *REFUSAL],
        "refused",
    ),
    "civil_status_correction": (
        "the change needs verification first",
        [
            *CHECKED,
            ("appraise_request", "hotich1", {"appraisal": "verify"}),
            ("verify_records", "hotich1", {"verification_result": "confirmed"}),
            ("record_change", "hotich1", {"change_register_number": "CC-3"}),
            *SIGNED,
            *RETURNED,
        ],
        "result_returned",
    ),
    "residence_confirmation": (
        "not in the database and not verified: refused",
        [
            *CHECKED,
            ("lookup_residence", "congan1", {"in_database": "no"}),
            ("verify_residence", "congan1", {"verification_result": "not_confirmed"}),
            *REFUSAL,
        ],
        "refused",
    ),
    "register_book_copy": (
        "a supplement, then the entry is not in the book",
        [*SUPPLEMENT, *CHECKED, ("find_in_register", "hotich1", {"entry_found": "no"}), *REFUSAL],
        "refused",
    ),
    "permanent_residence": (
        "the police refuse (CT06)",
        [
            ("check_dossier", "congan1", {"dossier_complete": "yes"}),
            ("appraise_residence", "congan1", {"residence_approved": "no"}),
            *REFUSAL,
        ],
        "refused",
    ),
}
STARTER = sorted(MAIN_PATHS)


def walk(desk, code: str, steps: list[Step], **received: Any) -> dict[str, Any]:
    """Receive a dossier of `code` and work `steps` in order, each by its user, who must see
    it in their inbox; the dossier as it ends."""
    dossier_id = desk.receive(code, data={**RECEIVED_DATA[code], **received})["id"]
    for element_id, username, data in steps:
        desk.work(dossier_id, element_id, data, by=username)
    return desk.dossier(dossier_id)


def worked(dossier: dict[str, Any]) -> list[str]:
    return [e["element_id"] for e in dossier["history"] if e["kind"] == "task_completed"]


def shipped_folders() -> list[Path]:
    return sorted(p for p in PROCESSES.iterdir() if (p / METADATA_FILE).is_file())


def test_the_starter_catalogue_covers_the_issue_s_procedures():
    assert {p.name for p in shipped_folders()} == {"newborn_bundle", "social_allowance", *STARTER}


@pytest.mark.parametrize("folder", shipped_folders(), ids=lambda p: p.name)
def test_every_shipped_folder_validates_with_no_problem_and_no_warning(desk, folder):
    meta, files = read_folder(folder)

    checked = upload(desk, dict(meta.__dict__), files, validate_only=True)

    assert checked.status_code == 200, checked.json
    assert (checked.json["problems"], checked.json["warnings"]) == ([], [])


@pytest.mark.parametrize("code", STARTER)
def test_the_main_path_returns_the_result(desk, code):
    dossier = walk(desk, code, MAIN_PATHS[code])

    assert dossier["status"] == "result_returned"
    assert dossier["tasks"] == []
    assert sorted(worked(dossier)) == sorted(step for step, _, _ in MAIN_PATHS[code])


@pytest.mark.parametrize("code", STARTER)
def test_one_exceptional_path(desk, code):
    _, steps, status = EXCEPTIONAL_PATHS[code]

    dossier = walk(desk, code, steps)

    assert dossier["status"] == status
    assert dossier["tasks"] == []
    assert sorted(worked(dossier)) == sorted(step for step, _, _ in steps)


@pytest.mark.parametrize("code", ["certify_copy", "marriage_registration"])
def test_the_shared_signature_sub_flow_runs_in_each_caller(desk, code):
    """Both callers get the leader's step from processes/shared, for the leader only, and carry
    on with the seal once the leader signs."""
    steps = MAIN_PATHS[code]
    before_signing = steps[: [s for s, _, _ in steps].index("leader_sign")]
    dossier_id = desk.receive(code, data=RECEIVED_DATA[code])["id"]
    for element_id, username, data in before_signing:
        desk.work(dossier_id, element_id, data, by=username)

    assert desk.inbox("lanhdao1", dossier_id) == ["leader_sign"]
    assert desk.inbox("hotich1", dossier_id) == []
    assert desk.inbox("lanhdao2", dossier_id) == []
    assert desk.work(dossier_id, *SIGNED[0][::2], by="lanhdao1") == ["seal_and_record"]
    assert desk.work(dossier_id, *SIGNED[1][::2], by="hotich1") == ["return_result"]


def test_the_certification_fee_table_decides_the_fee_at_receipt(desk):
    """2,000 đ a page for pages 1-2, 1,000 đ from page 3, at most 200,000 đ a copy."""
    cases = [(1, 1), (2, 1), (3, 1), (3, 2), (198, 1), (199, 1), (500, 3)]

    fees = [
        desk.receive(
            "certify_copy",
            data={**RECEIVED_DATA["certify_copy"], "pages": pages, "copies": copies},
        )["fee"]["amount"]
        for pages, copies in cases
    ]

    assert fees == [2_000, 4_000, 5_000, 10_000, 200_000, 200_000, 600_000]


def test_a_late_death_registration_pays_a_fee(desk):
    """Free within 15 days of the death, the province's fee from the 16th day."""
    fees = [
        desk.receive(
            "death_registration",
            data={**RECEIVED_DATA["death_registration"], "days_since_death": days},
        )["fee"]["amount"]
        for days in (0, 15, 16, 400)
    ]

    assert fees == [0, 0, 8_000, 8_000]


def test_a_fee_table_the_files_lack_is_refused_at_validation(desk):
    meta, files = read_folder(PROCESSES / "certify_copy")
    metadata = {**meta.__dict__, "fee": {"kind": "decision", "decision": "no_such_table"}}

    checked = upload(desk, metadata, files, validate_only=True)

    assert checked.status_code == 422
    assert "no_such_table" in checked.json["errors"]["fee"][0]


def test_the_verification_table_asks_another_commune_only_when_the_databases_do_not_answer(
    desk,
):
    cases = [("yes", "yes"), ("yes", "no"), ("no", "no"), ("no", "yes")]
    opened = []
    for found, elsewhere in cases:
        data = RECEIVED_DATA["marriage_registration"]
        dossier_id = desk.receive("marriage_registration", data=data)["id"]
        desk.work(dossier_id, *CHECKED[0][::2], by="tiepnhan1")
        answer = {"found_in_database": found, "resided_elsewhere": elsewhere}
        opened += desk.work(dossier_id, "check_marital_status", answer, by="hotich1")

    assert opened == [
        "register_marriage",
        "register_marriage",
        "register_marriage",
        "verify_with_other_commune",
    ]


def test_the_decision_tables_answer_the_designer_s_trial(desk):
    """The trial API reads the same shipped tables: the fee at the cap's edge."""
    table = (PROCESSES / "certify_copy" / "certification_fee.dmn").read_text()
    answers = [
        desk.post(
            "/api/v1/decisions/evaluate",
            {
                "files": {"certification_fee.dmn": table},
                "decision_id": "certification_fee",
                "inputs": {"pages": pages, "copies": 1},
            },
            by="thietke",
        ).json["outputs"]["fee"]
        for pages in (2, 3, 198, 199)
    ]
    assert answers == [4_000, 5_000, 200_000, 200_000]


FRIDAY = "2026-03-06"
MONDAY, WEDNESDAY, NEXT_FRIDAY, NEXT_TUESDAY = (
    "2026-03-09",
    "2026-03-11",
    "2026-03-13",
    "2026-03-17",
)
DUE: dict[str, tuple[str, str]] = {
    "certify_copy": (FRIDAY, MONDAY),
    "certify_signature": (FRIDAY, MONDAY),
    "civil_status_extract_copy": (FRIDAY, MONDAY),
    "register_book_copy": (FRIDAY, MONDAY),
    "marital_status_certificate": (WEDNESDAY, WEDNESDAY),
    "civil_status_correction": (WEDNESDAY, WEDNESDAY),
    "residence_confirmation": (WEDNESDAY, WEDNESDAY),
    "marriage_registration": (NEXT_FRIDAY, NEXT_FRIDAY),
    "death_registration": (NEXT_TUESDAY, NEXT_TUESDAY),
    "permanent_residence": (NEXT_TUESDAY, NEXT_TUESDAY),
}
"""The day each procedure is due (17:00) for a dossier received on Friday 6 March 2026 at 14:59
and at 15:01: the same-day ones move to Monday after 15:00, the others count working days."""


@pytest.mark.parametrize("code", STARTER)
def test_the_deadline_of_a_dossier_received_at_14_59_and_15_01_on_a_friday(new_uow, actor, code):
    due = []
    for clock in ("14:59", "15:01"):
        received_at = datetime.fromisoformat(f"{FRIDAY}T{clock}:00+07:00")
        with new_uow() as uow:
            uow.begin_write()
            dossier = receive(
                uow,
                actor("tiepnhan1"),
                Submission(
                    procedure_code=code,
                    applicant=APPLICANT,
                    channel="in_person",
                    data=RECEIVED_DATA[code],
                ),
                now=received_at,
            )
            uow.commit()
            due.append(to_local(dossier.due_at).isoformat())

    assert due == [f"{day}T17:00:00+07:00" for day in DUE[code]]


@pytest.mark.parametrize(
    ("code", "national_code"),
    [("permanent_residence", "1.004222"), ("register_book_copy", "2.000908")],
)
def test_the_catalogue_finds_a_procedure_by_its_national_code(desk, code, national_code):
    found = desk.get("/api/v1/procedures", by="tiepnhan1", q=national_code).json

    assert [(p["code"], p["national_code"]) for p in found] == [(code, national_code)]


def test_form_01_prints_the_national_code(desk):
    dossier = desk.receive("register_book_copy", data=RECEIVED_DATA["register_book_copy"])

    slip = desk.get(f"/api/v1/dossiers/{dossier['id']}/slips/01", by="tiepnhan1")

    assert slip.status_code == 200
    assert "mã thủ tục: <b>2.000908</b>" in slip.get_data(as_text=True)


def test_each_folder_states_its_details_and_says_which_figures_are_unconfirmed():
    for folder in shipped_folders():
        meta = json.loads((folder / METADATA_FILE).read_text())
        assert meta["legal_basis"] and meta["required_documents"], folder.name
        if not meta["national_code"]:
            assert "national_code" in meta["unconfirmed"], folder.name


def test_the_demo_users_hold_every_role_a_shipped_lane_names():
    lanes = set()
    for folder in [*shipped_folders(), PROCESSES / "shared"]:
        for diagram in folder.glob("*.bpmn"):
            lanes |= set(re.findall(r'<bpmn:lane id="[^"]+" name="([a-z_]+)"', diagram.read_text()))
    demo_roles = {role for _, _, role in COMMUNE_USERS}

    assert "commune_police" in lanes and "leader" in lanes
    assert lanes <= demo_roles
