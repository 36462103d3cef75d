"""Helpers of the lifecycle tests: the certify_copy test procedure and lifecycle actions by API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.test import TestResponse

from engine.access.actors import Actor
from engine.catalogue.folders import read_folder
from engine.catalogue.procedures import publish
from engine.store.uow import UnitOfWork
from tests.api.journeys import Desk

DATA = Path(__file__).resolve().parent / "lifecycle_data"
REASON = "Thiếu bản chính giấy chứng sinh"


def publish_certify_copy(new_uow: Callable[[], UnitOfWork], actor: Callable[[str], Actor]) -> None:
    """A same-kind-as-certification procedure whose diagram ends before delivery (`processed`),
    with the per-page fee of domain.md §3 and 3 working days to supplement."""
    meta, files = read_folder(DATA / "certify_copy")
    with new_uow() as uow:
        publish(uow, actor("thietke"), meta, files)


def act(desk: Desk, dossier_id: int, action: str, body: dict[str, Any], *, by: str) -> TestResponse:
    return desk.post(f"/api/v1/dossiers/{dossier_id}/{action}", body, by=by)


def open_tasks_anywhere(desk: Desk, dossier_id: int) -> list[str]:
    """Open tasks of the dossier in the inbox of anyone who could have one."""
    users = ("tiepnhan1", "hotich1", "congan1", "bhxh1", "ldxh1", "lanhdao1", "admin")
    found = [step for user in users for step in desk.inbox(user, dossier_id)]
    return found + [task["element_id"] for task in desk.dossier(dossier_id, by="admin")["tasks"]]


def kinds(history: list[dict[str, Any]]) -> list[str]:
    return [event["kind"] for event in history]


def last(history: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return [event for event in history if event["kind"] == kind][-1]
