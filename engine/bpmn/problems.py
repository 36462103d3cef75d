"""SpiffWorkflow's refusals of a diagram, rewritten as problems a designer can act on: each names
the element by id (and name) and says what is wrong in Vietnamese, then English; never a Python
object's repr or a bare exception class."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from engine.errors import Problem

_ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-fA-F]+>")
_UNRESOLVED = re.compile(r"Cannot resolve data(Input|Output)Association")
_STORE_MISSING = re.compile(r"Data Store (name|identifier) is missing")
_STORE_UNKNOWN = re.compile(r"Data Store with name (.+) has no implementation")
_NO_DECISION = re.compile(
    r'No DMN Diagram available with id "(.*?)", Available DMN ids are: (.*?)\.?\s*$'
)
_BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def problem_from(exc: Exception, root: Any = None, file: str | None = None) -> Problem:
    """The problem for an exception SpiffWorkflow (or a bug under it) raised on a diagram;
    `root` is the parsed file, when known, to find the element a message does not name."""
    text = str(exc).splitlines()[0] if str(exc).strip() else ""
    line = getattr(exc, "line_number", None)
    element_id = getattr(exc, "id", None) or getattr(exc, "task_spec_id", None) or None
    name = getattr(exc, "name", None) or None
    message: str
    if _UNRESOLVED.search(text):
        message = (
            "Bước nối tới một đối tượng dữ liệu hoặc kho dữ liệu không có trong sơ đồ "
            "(a data association points at no data object or data store)."
        )
    elif match := _STORE_MISSING.search(text):
        missing = "name" if match.group(1) == "name" else "id"
        element_id = element_id or _first_store(root, lambda store: store.get(missing) is None)
        message = f"Kho dữ liệu thiếu thuộc tính {missing} (a data store has no {missing})."
    elif match := _STORE_UNKNOWN.search(text):
        store_name = match.group(1)
        element_id = element_id or _first_store(root, lambda store: store.get("name") == store_name)
        message = (
            f"Kho dữ liệu “{store_name}” không được hỗ trợ (no data store of that name is "
            "available)."
        )
    elif match := _NO_DECISION.search(text):
        known = match.group(2).strip() or "không có"
        message = (
            f"Không có bảng quyết định (DMN) “{match.group(1)}”; các bảng có: {known} "
            "(no decision table of that id)."
        )
    elif isinstance(exc, ValueError | TypeError | KeyError | AttributeError) and not element_id:
        message = (
            "Không đọc được sơ đồ: một phần tử thiếu thuộc tính bắt buộc hoặc sai kiểu "
            f"(the diagram cannot be read: {type(exc).__name__}: {_readable(text)})."
        )
    else:
        message = f"Sơ đồ chưa chạy được (the diagram cannot run): {_readable(text)}"
    if element_id and name and name != element_id:
        message = f"{message} [{name}]"
    return Problem(
        message=message,
        element_id=element_id,
        file=getattr(exc, "file_name", None) or file,
        line=line if isinstance(line, int) else None,
    )


def _readable(text: str) -> str:
    """The message with element reprs replaced by their tag names."""
    return _ELEMENT_REPR.sub(lambda match: f"<{match.group(1)}>", text) or "?"


def _first_store(root: Any, wanted: Any) -> str | None:
    if root is None:
        return None
    for store in root.iter(etree.QName(_BPMN_NS, "dataStore").text):
        if wanted(store):
            return str(store.get("id") or store.get("name") or "dataStore")
    return None
