"""Why a dossier cannot move to a version, in the plain Vietnamese (then English) a designer
reads in the preview and in a job's failures: one text per reason, used by both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.rebind import subprocess_holding


@dataclass(frozen=True)
class Blocked:
    kind: str
    element_id: str | None
    subprocess: str | None = None


def blocked_reason(blocked: Blocked, to_version: int) -> str:
    element, version = blocked.element_id, f"v{to_version}"
    texts = {
        "missing_open": (
            f"Bước đang mở “{element}” không có trong {version}; hãy ánh xạ nó sang một bước "
            f"của {version} (its open step {element} does not exist in {version})."
        ),
        "missing_done": (
            f"Bước đã làm “{element}” (một nhánh song song còn cần đến) không có trong "
            f"{version}; hãy ánh xạ nó (its finished step {element}, still needed by a "
            f"parallel branch, does not exist in {version})."
        ),
        "moved_into_subprocess": (
            f"Bước “{element}” nằm trong quy trình con “{blocked.subprocess}” ở {version}; "
            f"chưa thể chuyển hồ sơ vào giữa một quy trình con (step {element} is inside "
            f"sub-process {blocked.subprocess} in {version}; a dossier is not moved into one)."
        ),
        "not_human": (
            f"Bước đang mở “{element}” không còn là bước do người xử lý trong {version} "
            f"(its open step {element} is no longer a human step in {version})."
        ),
        "finished": "Hồ sơ đã kết thúc; chỉ chuyển hồ sơ đang xử lý (the dossier has ended).",
        "same_version": f"Hồ sơ đã chạy trên {version} (it already runs {version}).",
    }
    return texts.get(blocked.kind, blocked.kind)


def obstacle_of(
    elements: list[str],
    source: CompiledProcedure,
    target: CompiledProcedure,
    mapping: Mapping[str, str],
) -> Blocked | None:
    """The first element the dossier is at that the target cannot take: gone (and not mapped),
    moved into a sub-process, or no longer a human step."""
    for element in elements:
        name = mapping.get(element, element)
        top = element in source.spec.task_specs
        if top and name not in target.spec.task_specs:
            holder = subprocess_holding(target, name)
            if holder is not None:
                return Blocked("moved_into_subprocess", element, holder)
            return Blocked("missing_open", element)
        if not top and subprocess_holding(target, name) is None:
            return Blocked("missing_open", element)
        if element in source.steps and name not in target.steps:
            return Blocked("not_human", element)
    return None
