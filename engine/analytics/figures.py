"""The dashboard's figures for a scope: every figure is a set of dossiers, so each count and
the list of dossiers behind it come from the same SQL condition (`conditions`) and always
agree. Counts are aggregates in the database (a million dossiers are never read into Python).

Period semantics (the provincial report "tình hình, kết quả giải quyết TTHC"):
- received and its channels / reception points: received in the period;
- settled (early, on time, late), refused, withdrawn, stopped: ended in the period;
- in progress (within limit, due soon, overdue) and paused (supplement, fees): received before the
  period ends and still open now, judged now (the clock has no history of past pauses).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session

from engine.analytics.scope import Resolved
from engine.models import Dossier
from engine.rules.status import OPEN
from engine.rules.timeliness import DUE_SOON
from engine.rules.timeliness import EARLY
from engine.rules.timeliness import LATE
from engine.rules.timeliness import ON_TIME
from engine.rules.timeliness import OVERDUE
from engine.rules.timeliness import WITHIN_LIMIT
from engine.rules.timeliness import due_soon_until
from engine.texts import N_

SETTLED = frozenset({"processed", "result_returned"})
"""Đã giải quyết: a result exists (handed over or waiting to be collected)."""
PAUSED = {"supplement_requested": "paused_supplement", "financial_obligation": "paused_fees"}
ENDINGS = ("refused", "withdrawn", "stopped")
CHANNELS = ("in_person", "online", "postal")
POINTS = ("counter", "mobile", "health_facility")
FIGURES = (
    "received",
    *CHANNELS,
    *POINTS,
    "settled",
    "early",
    "on_time",
    "late",
    "in_progress",
    "within_limit",
    "due_soon",
    "overdue",
    "paused",
    "paused_supplement",
    "paused_fees",
    *ENDINGS,
    "not_online",
    "not_electronic",
)
"""Every figure a list of dossiers can be asked for (`figure=` of /stats/dossiers); the last two
are the dossiers that cost the service index points."""

SETTLED_ONLY, ALL_TO_PROCESS = "settled", "all_to_process"
FORMULAS = {
    SETTLED_ONLY: N_("(trước hạn + đúng hạn) × 100 / đã giải quyết"),
    ALL_TO_PROCESS: N_(
        "100 − (quá hạn đã giải quyết + quá hạn đang xử lý) × 100 / (đã giải quyết + đang xử lý)"
    ),
}
"""How the on-time rate is computed: domain.md §1.5 (OpenCPS, the provincial report) by default;
some provinces (Gia Lai) count late dossiers still in progress against all to process."""
HOURS_PER_DAY = 8
GroupKey = ColumnElement[Any] | InstrumentedAttribute[Any] | None
"""What the aggregates are grouped by (a procedure, a week...); None: the whole scope."""


@dataclass(frozen=True)
class Figures:
    counts: dict[str, int]
    on_time_rate: float | None
    on_time_formula: str
    on_time_formula_text: str
    online_share: float | None
    average_days: float | None
    median_days: float | None

    def as_dict(self) -> dict[str, Any]:
        counts = self.counts
        return {
            **{name: counts[name] for name in FIGURES},
            "on_time_rate": self.on_time_rate,
            "on_time_formula": self.on_time_formula,
            "on_time_formula_text": self.on_time_formula_text,
            "online_share": self.online_share,
            "average_days": self.average_days,
            "median_days": self.median_days,
            "satisfaction": None,
            "by_channel": {name: counts[name] for name in CHANNELS},
            "by_point": {name: counts[name] for name in POINTS},
        }


@dataclass(frozen=True)
class Snapshot:
    """A scope judged at one moment: every table of a request asks its questions of this."""

    session: Session
    resolved: Resolved
    now: datetime
    due_soon_until: datetime
    """Open dossiers due in [now, this] are due soon (engine.rules.timeliness.due_soon_until)."""

    def figure(self, name: str) -> ColumnElement[bool]:
        return conditions(self)[name]

    def where(self) -> ColumnElement[bool]:
        """The scope's dossiers some figure of the period may count (what the indexes serve)."""
        resolved = self.resolved
        in_period = resolved.within(Dossier.received_at) | _ended_within(resolved)
        return resolved.base() & (in_period | _open(resolved))


def snapshot(session: Session, resolved: Resolved, now: datetime) -> Snapshot:
    return Snapshot(session, resolved, now, due_soon_until(now))


def _open(resolved: Resolved) -> ColumnElement[bool]:
    return Dossier.status.in_(sorted(OPEN)) & resolved.before_end(Dossier.received_at)


def _ended_within(resolved: Resolved) -> ColumnElement[bool]:
    return Dossier.finished_at.is_not(None) & resolved.within(Dossier.finished_at)


def conditions(shot: Snapshot) -> dict[str, ColumnElement[bool]]:
    """Each figure's one rule, as SQL: its count and the list behind it both use it.

    Finished dossiers are classed by the class stored when they finished (`timeliness`); open
    ones by comparing their statutory due time with `now` and with the due-soon threshold: the
    buckets `engine.rules.timeliness.classify` gives, without asking the calendar per dossier."""
    resolved = shot.resolved
    received = resolved.within(Dossier.received_at)
    ended = _ended_within(resolved)
    still_open = _open(resolved)
    due = func.coalesce(Dossier.original_due_at, Dossier.due_at)
    judged = still_open & (Dossier.status != "supplement_requested") & due.is_not(None)
    settled = Dossier.status.in_(sorted(SETTLED)) & ended
    return {
        "received": received,
        **{name: received & (Dossier.channel == name) for name in CHANNELS},
        **{name: received & (Dossier.reception_point_kind == name) for name in POINTS},
        "settled": settled,
        **{name: settled & (Dossier.timeliness == name) for name in (EARLY, ON_TIME, LATE)},
        "in_progress": still_open,
        WITHIN_LIMIT: still_open
        & (
            (Dossier.status == "supplement_requested") | due.is_(None) | (due > shot.due_soon_until)
        ),
        DUE_SOON: judged & (due >= shot.now) & (due <= shot.due_soon_until),
        OVERDUE: judged & (due < shot.now),
        "paused": still_open & Dossier.status.in_(sorted(PAUSED)),
        **{figure: still_open & (Dossier.status == status) for status, figure in PAUSED.items()},
        **{name: ended & (Dossier.status == name) for name in ENDINGS},
        "not_online": received & (Dossier.channel != "online"),
        "not_electronic": settled
        & (Dossier.status == "result_returned")
        & (func.coalesce(Dossier.delivery_method, "") != "electronic"),
    }


def count_by(
    shot: Snapshot,
    rules: dict[str, ColumnElement[bool]],
    *,
    group: GroupKey = None,
) -> dict[Any, dict[str, int]]:
    """How many of the scope's dossiers each rule holds, in one query (per `group` value)."""
    columns = [func.count().filter(rule) for rule in rules.values()]
    return {
        key: dict(zip(rules, (int(value or 0) for value in values), strict=True))
        for key, *values in _rows(shot, columns, shot.where(), group, aggregate=True)
    }


def settled_hours(shot: Snapshot, *, group: GroupKey = None) -> dict[Any, tuple[float, float]]:
    """Average and median office hours from receipt to result of the settled dossiers (per
    `group` value): percentile_cont on PostgreSQL; SQLite (small databases) reads the one
    column and computes them here. The one place the two dialects differ."""
    where = shot.resolved.base() & shot.figure("settled") & Dossier.working_hours.is_not(None)
    if shot.session.get_bind().dialect.name == "postgresql":
        median = func.percentile_cont(0.5).within_group(Dossier.working_hours)
        columns = [func.avg(Dossier.working_hours), median]
        return {
            key: (float(average), float(middle))
            for key, average, middle in _rows(shot, columns, where, group, aggregate=True)
            if average is not None
        }
    hours: dict[Any, list[float]] = {}
    for key, value in _rows(shot, [Dossier.working_hours], where, group, aggregate=False):
        hours.setdefault(key, []).append(value)
    return {k: (statistics.fmean(v), statistics.median(v)) for k, v in hours.items()}


def _rows(
    shot: Snapshot,
    columns: list[Any],
    where: ColumnElement[bool],
    group: GroupKey,
    *,
    aggregate: bool,
) -> list[tuple[Any, ...]]:
    """Each row led by its `group` value (None when the whole scope is one group)."""
    if group is None:
        return [(None, *row) for row in shot.session.execute(select(*columns).where(where))]
    query = select(group, *columns).where(where)
    if aggregate:
        query = query.group_by(group)
    return [tuple(row) for row in shot.session.execute(query)]


def compute(shot: Snapshot, formula: str) -> Figures:
    """The figures of the snapshot's scope: one query for the counts, one for the times."""
    counts = count_by(shot, conditions(shot)).get(None) or dict.fromkeys(FIGURES, 0)
    return figures_from(counts, settled_hours(shot).get(None), formula)


def figures_from(
    counts: dict[str, int], hours: tuple[float, float] | None, formula: str
) -> Figures:
    """The figures from the counts and the (average, median) office hours of what settled."""
    return Figures(
        counts=counts,
        on_time_rate=on_time_rate(counts, formula),
        on_time_formula=formula,
        on_time_formula_text=FORMULAS[formula],
        online_share=percent(counts["online"], counts["received"]),
        average_days=None if hours is None else round(hours[0] / HOURS_PER_DAY, 2),
        median_days=None if hours is None else round(hours[1] / HOURS_PER_DAY, 2),
    )


def on_time_rate(counts: dict[str, int], formula: str) -> float | None:
    if formula == ALL_TO_PROCESS:
        to_process = counts["settled"] + counts["in_progress"]
        late = percent(counts[LATE] + counts[OVERDUE], to_process)
        return None if late is None else round(100 - late, 2)
    return percent(counts[EARLY] + counts[ON_TIME], counts["settled"])


def percent(part: int, whole: int) -> float | None:
    """A percentage to two decimals, as provinces publish it; None when nothing to divide."""
    return None if whole == 0 else round(part * 100 / whole, 2)


LABELS_VI = {
    "received": N_("Đã tiếp nhận"),
    "in_person": N_("Trực tiếp"),
    "online": N_("Trực tuyến"),
    "postal": N_("Qua bưu chính"),
    "counter": N_("Tại quầy"),
    "mobile": N_("Điểm tiếp nhận lưu động"),
    "health_facility": N_("Tại cơ sở y tế"),
    "settled": N_("Đã giải quyết"),
    "early": N_("Trước hạn"),
    "on_time": N_("Đúng hạn"),
    "late": N_("Quá hạn"),
    "in_progress": N_("Đang xử lý"),
    "within_limit": N_("Trong hạn"),
    "due_soon": N_("Sắp đến hạn"),
    "overdue": N_("Quá hạn (đang xử lý)"),
    "paused": N_("Tạm dừng"),
    "paused_supplement": N_("Chờ bổ sung"),
    "paused_fees": N_("Chờ nộp phí, lệ phí"),
    "refused": N_("Từ chối"),
    "withdrawn": N_("Rút hồ sơ"),
    "stopped": N_("Dừng xử lý"),
    "not_online": N_("Không nộp trực tuyến"),
    "not_electronic": N_("Trả kết quả không điện tử"),
    "on_time_rate": N_("Tỷ lệ đúng hạn (%)"),
    "online_share": N_("Tỷ lệ trực tuyến (%)"),
    "average_days": N_("Thời gian giải quyết trung bình (ngày làm việc)"),
    "median_days": N_("Thời gian giải quyết trung vị (ngày làm việc)"),
    "satisfaction": N_("Mức độ hài lòng"),
}
"""Each figure's name on the dashboard and in exports (English through the page catalogue)."""
