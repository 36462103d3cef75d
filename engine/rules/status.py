"""Dossier statuses, with the national status codes (1-10) provincial systems exchange."""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import Conflict


@dataclass(frozen=True)
class Status:
    slug: str
    code: int
    label_vi: str
    label_en: str
    final: bool = False


STATUSES: dict[str, Status] = {
    s.slug: s
    for s in (
        Status("new", 1, "Mới đăng ký", "New"),
        Status("received", 2, "Được tiếp nhận", "Received"),
        Status("refused", 3, "Không được tiếp nhận", "Not received / refused", final=True),
        Status("processing", 4, "Đang xử lý", "Processing"),
        Status("supplement_requested", 5, "Yêu cầu bổ sung giấy tờ", "Supplement requested"),
        Status(
            "financial_obligation",
            6,
            "Yêu cầu thực hiện nghĩa vụ tài chính",
            "Financial obligation requested",
        ),
        Status("withdrawn", 7, "Công dân yêu cầu rút hồ sơ", "Withdrawn by citizen", final=True),
        Status("stopped", 8, "Dừng xử lý", "Stopped", final=True),
        Status("processed", 9, "Đã xử lý xong", "Processed"),
        Status("result_returned", 10, "Đã trả kết quả", "Result returned", final=True),
    )
}

END_OUTCOMES = frozenset({"result_returned", "refused", "processed"})
"""Values a BPMN end event may give in its `outcome` property; `processed` means the diagram
ends before delivery and the result is handed over through the return action."""

OPEN = frozenset({"new", "received", "processing", "supplement_requested", "financial_obligation"})
"""Statuses in which the procedure is still being worked."""

TRANSITIONS: dict[str, frozenset[str]] = {
    "complete_task": frozenset({"received", "processing", "financial_obligation"}),
    "request_supplement": frozenset({"received", "processing"}),
    "record_supplement": frozenset({"supplement_requested"}),
    "expire_supplement": frozenset({"supplement_requested"}),
    "refuse": OPEN,
    "withdraw": OPEN,
    "stop": OPEN - {"new"},
    "issue_apology": frozenset({"received", "processing", "financial_obligation", "processed"}),
    "return_result": frozenset({"processed"}),
    "record_fee": OPEN | {"processed"},
    "request_fee": frozenset({"received", "processing"}),
}
"""Which lifecycle action is allowed from which status; anything else is refused."""

ACTION_LABELS: dict[str, str] = {
    "complete_task": "xử lý bước",
    "request_supplement": "yêu cầu bổ sung hồ sơ",
    "record_supplement": "tiếp nhận hồ sơ bổ sung",
    "expire_supplement": "kết thúc thời hạn bổ sung",
    "refuse": "từ chối hồ sơ",
    "withdraw": "rút hồ sơ",
    "stop": "dừng xử lý",
    "issue_apology": "xin lỗi và hẹn lại ngày trả kết quả",
    "return_result": "trả kết quả",
    "record_fee": "ghi nhận phí, lệ phí",
    "request_fee": "đề nghị nộp phí, lệ phí",
}


def is_allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action]


def require_allowed(action: str, status: str) -> None:
    """Refuse an action the dossier's current status does not allow, naming that status."""
    if is_allowed(action, status):
        return
    label = STATUSES[status].label_vi
    raise Conflict(
        f"cannot {action.replace('_', ' ')} while the dossier is '{status}' "
        f"(không thể {ACTION_LABELS[action]} khi hồ sơ ở trạng thái “{label}”)",
        action=action,
        status=status,
    )


def status_after_step(current: str, *, workflow_completed: bool, outcome: str | None) -> str:
    """The dossier's status once a task of its workflow is completed."""
    if workflow_completed:
        return outcome if outcome in END_OUTCOMES else "result_returned"
    if current == "received":
        return "processing"
    return current
