"""A collaboration runs as SpiffWorkflow runs it: one instance whose pools are sub-processes,
those with a plain (or timer) start starting with it, those started by a message waiting for it.

SpiffWorkflow starts a message-started pool by connecting it to the collaboration's start on the
spec, the first time such a message arrives. Its specs travel with each saved instance, so there
that change stays with the instance; ours are parsed once and shared by every instance, and
saved states leave the spec out. Left alone, the first delivery would make every later instance
start that pool at once, and another worker (or a restart) would not know of the connection.
So each such pool is connected here, once, the way that first delivery would, less the start's
own link to it: the pool ends into the collaboration's end, and SpiffWorkflow sees it as
connected and never changes the shared spec."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser


def collaboration_specs(parser: SpiffBpmnParser, name: str) -> tuple[Any, dict[str, Any]]:
    """The collaboration's top spec and its pools' (and their call activities') specs."""
    spec, subprocess_specs = parser.get_collaboration(name)
    start = spec.start
    for pool in start.trigger_specs:
        participant = spec.task_specs[pool]
        participant.connect(spec.end)
        participant._connect_notify(start)  # noqa: SLF001 - the input `trigger_wf` checks for
    return spec, subprocess_specs
