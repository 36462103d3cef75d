"""What designers' scripts print. A script's `print` lines are kept by the workflow that ran it:
the step sequence writes them to the dossier's history (one `script_printed` event per script
run that printed, naming its element) once the step is saved; when the step fails, nothing is
saved and the lines go into the incident's message instead (engine.bpmn.runtime). Bounded, so
a script printing in a loop cannot grow a dossier's history without end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

MAX_LINES = 200
"""Lines kept per step (every script of one command together); the rest are dropped."""
MAX_LINE_CHARS = 500


@dataclass(frozen=True)
class Printed:
    element_id: str
    name: str
    lines: tuple[str, ...]


CUT = "… các dòng sau không được giữ (the lines after this were not kept)"
_PRINTING_TO: ContextVar[list[str] | None] = ContextVar("printing_to", default=None)
"""The lines of the script running now, in this thread: the script engine is shared."""
_KEPT: WeakKeyDictionary[Any, list[Printed]] = WeakKeyDictionary()


class Printer:
    """RestrictedPython compiles `print(...)` to `_print._call_print(...)` and `printed` to
    `_print()`; no `file=`, so a script writes only here, and no more than the step keeps."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._room = MAX_LINES * (MAX_LINE_CHARS + 1)
        self._cut = False

    def _call_print(self, *objects: Any, sep: str = " ", end: str = "\n") -> None:
        text = sep.join(str(item) for item in objects) + end
        if len(text) > MAX_LINE_CHARS:
            text = "\n".join(line[:MAX_LINE_CHARS] for line in text.split("\n"))
        if len(text) > self._room:
            self._cut, text = True, text[: self._room]
        self._parts.append(text)
        self._room -= len(text)

    def __call__(self) -> str:
        return "".join(self._parts)

    def hand_over(self) -> None:
        """Give the run's lines to the task that ran it (none outside a task: dropped)."""
        lines = _PRINTING_TO.get()
        if lines is not None and self._parts:
            lines.extend(self().splitlines())
            if self._cut:
                lines.append(CUT)


@contextmanager
def printing_for(task: Any) -> Iterator[None]:
    """Keep what the scripts run inside print for `task`'s workflow, under its element."""
    lines: list[str] = []
    token = _PRINTING_TO.set(lines)
    try:
        yield
    finally:
        _PRINTING_TO.reset(token)
        if lines:
            _keep(task, lines)


def _keep(task: Any, lines: list[str]) -> None:
    kept = _KEPT.setdefault(task.workflow.top_workflow, [])
    room = MAX_LINES - sum(len(item.lines) for item in kept)
    if room <= 0:
        return
    shown = [line[:MAX_LINE_CHARS] for line in lines[:room]]
    if len(lines) > room:
        shown[-1] = CUT
    spec = task.task_spec
    kept.append(Printed(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, tuple(shown)))


def take(workflow: Any) -> list[Printed]:
    """What the workflow's scripts printed since the last call."""
    return _KEPT.pop(workflow, [])


def as_note(printed: list[Printed], limit: int = 1000) -> str:
    """The lines for an incident's message, after the failure it reports."""
    if not printed:
        return ""
    text = " | ".join(f"{item.element_id}: {line}" for item in printed for line in item.lines)
    return f" — đã in (printed): {text[:limit]}"
