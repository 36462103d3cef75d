"""The inbox reads one index range per (role, unit) grant and merges them: the merged list keeps
one order across units and pages, and agrees with the tab counts."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import update

from engine.access.actors import Actor
from engine.access.actors import Grant
from engine.models import Task
from engine.queries.tasks import MAX_GRANT_RANGES
from engine.queries.tasks import list_tasks


def set_due(new_uow, task_id, due_at):
    with new_uow() as uow:
        uow.session.execute(update(Task).where(Task.id == task_id).values(due_at=due_at))
        uow.session.commit()


def queue_page(desk, username, page, per_page):
    response = desk.get("/api/v1/tasks", by=username, scope="queue", page=page, per_page=per_page)
    assert response.status_code == 200, response.json
    return [task["dossier_code"] for task in response.json["items"]], response.json["total"]


def three_dossiers_in_two_communes(desk, new_uow):
    """C01, C02, C01 dossiers at check_dossier, due in 30 days, in 30 minutes (due soon), never:
    their codes in the order the queue lists them (earliest due first, no due time last)."""
    now = datetime.now(UTC)
    later = desk.receive(by="tiepnhan1")
    sooner = desk.receive(by="tiepnhan2")
    never = desk.receive(by="tiepnhan1")
    set_due(new_uow, desk.task_id(later["id"], "check_dossier"), now + timedelta(days=30))
    set_due(new_uow, desk.task_id(sooner["id"], "check_dossier"), now + timedelta(minutes=30))
    set_due(new_uow, desk.task_id(never["id"], "check_dossier"), None)
    return [sooner["code"], later["code"], never["code"]]


def test_a_queue_over_two_communes_is_one_list_by_due_time_page_after_page(desk, new_uow):
    expected = three_dossiers_in_two_communes(desk, new_uow)

    pages = [queue_page(desk, "admin", page, per_page=1) for page in (1, 2, 3, 4)]

    assert [codes for codes, _ in pages] == [[expected[0]], [expected[1]], [expected[2]], []]
    assert {total for _, total in pages} == {3}
    counts = desk.get("/api/v1/tasks/counts", by="admin").json["counts"]
    assert (counts["queue"], counts["candidate"], counts["due_soon"]) == (3, 3, 1)
    assert queue_page(desk, "tiepnhan2", 1, per_page=10) == ([expected[0]], 1)


def test_a_user_holding_more_grants_than_index_ranges_sees_the_same_queue(desk, new_uow, actor):
    expected = three_dossiers_in_two_communes(desk, new_uow)
    admin = actor("admin")
    extra = {Grant(f"unused_role_{i}", 1) for i in range(MAX_GRANT_RANGES)}
    many = Actor(admin.user_id, admin.username, admin.full_name, admin.grants | extra)

    with new_uow() as uow:
        few_page = list_tasks(uow.session, admin, scope="queue", dossier_id=None, offset=1, limit=5)
        many_page = list_tasks(uow.session, many, scope="queue", dossier_id=None, offset=1, limit=5)

    assert [task.dossier_code for task in many_page.items] == expected[1:]
    assert [task.dossier_code for task in few_page.items] == expected[1:]
    assert many_page.total == few_page.total == 3
