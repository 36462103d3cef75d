"""Keep finished history out of the live task tree, so a step costs the same at round 100 as at 5.

SpiffWorkflow keeps every task it ever created; a dossier that loops (supplement rounds, re-checks)
grows its tree and every step walks and serializes all of it. History is already in our `event`
table, so before saving we cut the chain of finished tasks above the lowest common ancestor of the
unfinished tasks: that ancestor is re-attached to the root with its data materialized. Joins,
boundary events and loops only look inside that subtree.
"""

from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

MIN_REMOVABLE = 8
"""Compact only when at least this many tasks would go, so short instances are left as they are."""


def _lineage(task: Task) -> list[UUID]:
    chain = []
    current: Task | None = task
    while current is not None:
        chain.append(current.id)
        current = current.parent
    return chain


def _lowest_common_ancestor(live: list[Task]) -> UUID | None:
    """Of the live tasks, only the tops (those under a finished task, or the root) are walked:
    every live task lies under a top, so their common ancestor is everyone's. SpiffWorkflow
    predicts whole branches ahead, so the tops are a few of dozens of live tasks."""
    first, *others = [task for task in live if _top(task)]
    shared = set(_lineage(first))
    for task in others:
        shared &= set(_lineage(task))
    return next((task_id for task_id in _lineage(first) if task_id in shared), None)


def _top(task: Task) -> bool:
    parent = task.parent
    return parent is None or parent.has_state(TaskState.FINISHED_MASK)


def _subtree(workflow: BpmnWorkflow, task_id: UUID) -> set[UUID]:
    ids, stack = set(), [task_id]
    while stack:
        current = stack.pop()
        ids.add(current)
        stack.extend(workflow.tasks[current]._children)
    return ids


def compact(workflow: BpmnWorkflow, *, min_removable: int | None = None) -> int:
    """Drop finished tasks outside the live subtree; return how many went. A version move
    compacts fully (`min_removable` 1: a step the dossier left behind need not exist in the
    target version); None reads MIN_REMOVABLE when called."""
    live = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not live or workflow.subprocesses:
        return 0
    anchor_id = _lowest_common_ancestor(live)
    root = workflow.task_tree
    if anchor_id is None or anchor_id == root.id:
        return 0
    keep = _subtree(workflow, anchor_id) | {root.id}
    removable = [task_id for task_id in workflow.tasks if task_id not in keep]
    if not removable or len(removable) < (min_removable or MIN_REMOVABLE):
        return 0
    anchor = workflow.tasks[anchor_id]
    anchor_data = dict(anchor.data)
    for task_id in removable:
        del workflow.tasks[task_id]
    root._children = [anchor_id]
    anchor._parent = root.id
    anchor.data = anchor_data
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None
    return len(removable)
