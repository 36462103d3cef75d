"""The dashboard's figures for a scope: every figure is a set of dossiers, so each count and
the list of dossiers behind it come from the same rule (`figures_of`) and always agree.

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

from sqlalchemy import Row
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.analytics.clock import CachingCalendar
from engine.analytics.clock import WorkingClock
from engine.analytics.scope import Resolved
from engine.models import Dossier
from engine.rules.status import OPEN
from engine.rules.timeliness import EARLY
from engine.rules.timeliness import LATE
from engine.rules.timeliness import ON_TIME
from engine.rules.timeliness import OVERDUE
from engine.rules.timeliness import timeliness_of
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


COLUMNS = (
    Dossier.id,
    Dossier.procedure_id,
    Dossier.status,
    Dossier.channel,
    Dossier.reception_point_kind,
    Dossier.received_at,
    Dossier.due_at,
    Dossier.original_due_at,
    Dossier.finished_at,
    Dossier.delivery_method,
)


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


def candidate_rows(session: Session, resolved: Resolved) -> list[Row[Any]]:
    """Every dossier of the scope some figure of the period may count, in one query."""
    in_period = resolved.within(Dossier.received_at) | resolved.within(Dossier.finished_at)
    still_open = Dossier.status.in_(sorted(OPEN)) & resolved.before_end(Dossier.received_at)
    query = select(*COLUMNS).where(resolved.base(), in_period | still_open)
    rows: list[Row[Any]] = list(session.execute(query.order_by(Dossier.id)))
    return rows


@dataclass
class Snapshot:
    """The scope's dossiers, each with the figures it counts in, classed once per request and
    shared by every table of the dashboard."""

    resolved: Resolved
    now: datetime
    rows: list[tuple[Row[Any], frozenset[str]]]
    calendar: CachingCalendar
    _clock: WorkingClock | None = None

    def processing_days(self, row: Row[Any]) -> float:
        """Working days from receipt to the result, in office hours / 8 (how limits are kept)."""
        if self._clock is None:
            self._clock = WorkingClock(self.calendar)
        return self._clock.between(row.received_at, row.finished_at) / HOURS_PER_DAY


def snapshot(session: Session, resolved: Resolved, now: datetime) -> Snapshot:
    calendar = CachingCalendar()
    rows = [
        (row, figures_of(row, resolved, now, calendar)) for row in candidate_rows(session, resolved)
    ]
    return Snapshot(resolved, now, rows, calendar)


def figures_of(
    row: Row[Any], resolved: Resolved, now: datetime, calendar: CachingCalendar
) -> frozenset[str]:
    """The figures this dossier counts in."""
    names: set[str] = set()
    if _inside(row.received_at, resolved):
        names.update(("received", row.channel, row.reception_point_kind))
        if row.channel != "online":
            names.add("not_online")
    if row.status in OPEN:
        if resolved.end is None or row.received_at < resolved.end:
            names.update(("in_progress", timeliness_of(row, now, calendar)))
            if row.status in PAUSED:
                names.update(("paused", PAUSED[row.status]))
    elif row.finished_at is not None and _inside(row.finished_at, resolved):
        if row.status in SETTLED:
            names.update(("settled", timeliness_of(row, now, calendar)))
            if row.status == "result_returned" and row.delivery_method != "electronic":
                names.add("not_electronic")
        elif row.status in ENDINGS:
            names.add(row.status)
    return frozenset(names)


def _inside(moment: datetime, resolved: Resolved) -> bool:
    return (resolved.start is None or moment >= resolved.start) and (
        resolved.end is None or moment < resolved.end
    )


def compute(
    shot: Snapshot, formula: str, rows: list[tuple[Row[Any], frozenset[str]]] | None = None
) -> Figures:
    """The figures of the snapshot (or of some of its rows: one procedure's)."""
    counts = dict.fromkeys(FIGURES, 0)
    days: list[float] = []
    for row, names in shot.rows if rows is None else rows:
        for name in names:
            if name in counts:
                counts[name] += 1
        if "settled" in names:
            days.append(shot.processing_days(row))
    return Figures(
        counts=counts,
        on_time_rate=on_time_rate(counts, formula),
        on_time_formula=formula,
        on_time_formula_text=FORMULAS[formula],
        online_share=percent(counts["online"], counts["received"]),
        average_days=round(statistics.fmean(days), 2) if days else None,
        median_days=round(statistics.median(days), 2) if days else None,
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
