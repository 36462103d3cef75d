"""The inbox: my tasks, my role's queue, what is due soon and what is overdue."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask import request

from api.database import read_session
from api.pages.common import actor
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.schemas.base import page_bounds
from api.schemas.work import TaskQuery
from engine.errors import InvalidData
from engine.queries.tasks import SCOPES
from engine.queries.tasks import count_tasks
from engine.queries.tasks import due_state
from engine.queries.tasks import list_tasks
from engine.store.db import utcnow
from engine.texts import N_

blp = page_blueprint("pages_inbox")

TABS: tuple[tuple[str, str], ...] = (
    ("mine", N_("Việc của tôi")),
    ("queue", N_("Hàng đợi của vai trò trong đơn vị")),
    ("due_soon", N_("Sắp đến hạn")),
    ("overdue", N_("Quá hạn")),
)
LEADER_TABS = (("unit", N_("Việc của đơn vị")), ("escalated", N_("Quá hạn, báo lãnh đạo")))
SORT_LABELS = (
    ("due_at", N_("Hạn xử lý sớm nhất")),
    ("-due_at", N_("Hạn xử lý muộn nhất")),
    ("-created_at", N_("Mới nhận trước")),
    ("created_at", N_("Nhận sớm nhất trước")),
)
PER_PAGE = 15


def _query() -> dict[str, Any]:
    """The inbox's query string, read by the API's TaskQuery; a bad value falls back to defaults."""
    raw = {
        "scope": request.args.get("tab", "mine"),
        "sort": request.args.get("sort", "due_at"),
        "page": request.args.get("page", "1"),
        "per_page": str(PER_PAGE),
    }
    if request.args.get("q", "").strip():
        raw["q"] = request.args["q"].strip()
    try:
        return load_form(TaskQuery(), raw)
    except InvalidData:
        return load_form(TaskQuery(), {"scope": "mine", "per_page": str(PER_PAGE)})


@blp.get("/")
def inbox() -> Any:
    args = _query()
    me = actor()
    leader_tabs = tuple(tab for tab in LEADER_TABS if tab[0] in SCOPES)
    tabs = TABS + (leader_tabs if me.units_with("leader") else ())
    offset, limit = page_bounds(args)
    now = utcnow()
    with read_session() as session:
        counts = count_tasks(session, me, now=now)
        if args["scope"] not in {key for key, _ in tabs}:
            args["scope"] = "mine"
        if "tab" not in request.args:
            args["scope"] = _first_tab_with_work(tabs, counts)
        page = list_tasks(
            session,
            me,
            scope=args["scope"],
            dossier_id=None,
            offset=offset,
            limit=limit,
            q=args.get("q"),
            sort=args["sort"],
            now=now,
        )
    return render_template(
        "inbox.html",
        tabs=tabs,
        tab=args["scope"],
        counts=counts,
        tasks=page.items,
        total=page.total,
        page=args["page"],
        pages=max(1, -(-page.total // PER_PAGE)),
        q=args.get("q", ""),
        sort=args["sort"],
        sorts=SORT_LABELS,
        now=now,
        due_state=lambda task: due_state(task.due_at, now),
        may_claim=lambda task: me.is_admin or me.holds_anywhere(task.role),
    )


def _first_tab_with_work(tabs: tuple[tuple[str, str], ...], counts: dict[str, int]) -> str:
    """Open on my own tasks, else on the first list that holds any (a leader's unit tasks, say),
    so nobody lands on a tab that is empty for them."""
    for key in ("mine", "queue", "unit", "escalated"):
        if key in {tab for tab, _ in tabs} and counts.get(key):
            return key
    return "mine"
