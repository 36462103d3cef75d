"""Dossier statuses, with the national status codes (1-10) provincial systems exchange."""

from __future__ import annotations

from dataclasses import dataclass


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

END_OUTCOMES = frozenset({"result_returned", "refused"})
"""Values a BPMN end event may give in its `outcome` property."""


def status_after_step(current: str, *, workflow_completed: bool, outcome: str | None) -> str:
    """The dossier's status once a task of its workflow is completed."""
    if workflow_completed:
        return outcome if outcome in END_OUTCOMES else "result_returned"
    if current == "received":
        return "processing"
    return current
