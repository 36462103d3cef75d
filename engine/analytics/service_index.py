"""The citizen-service index of Decision 766/QĐ-TTg, computed locally: the indicators the
platform's data can feed get numerator, denominator and points; the others stay "not measured
here" (None, never 0). Weights, formulas and sources live in service_index.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.analytics.figures import SETTLED_ONLY
from engine.analytics.figures import Snapshot
from engine.analytics.figures import compute
from engine.models import Attachment
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.rules.timeliness import EARLY
from engine.rules.timeliness import ON_TIME

DATA_FILE = Path(__file__).with_name("service_index.json")


@lru_cache(maxsize=1)
def definition() -> dict[str, Any]:
    """The groups, indicators, points and sources, read once."""
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int


@dataclass(frozen=True)
class Indicator:
    key: str
    name_vi: str
    name_en: str
    formula: str
    points_max: int
    points: float | None
    """None: not measured here, or nothing to measure in the period."""
    measured: bool
    numerator: int | None
    denominator: int | None
    value: float | None
    """The ratio as a percentage."""
    unconfirmed: bool
    figure: str | None
    """The figure whose dossiers cost this indicator its points (/stats/dossiers?figure=)."""
    why_not: str | None


@dataclass(frozen=True)
class Group:
    key: str
    name_vi: str
    name_en: str
    points_max: int
    measured_max: int
    """The points of the indicators measured here."""
    points: float | None
    unconfirmed: bool
    indicators: list[Indicator]


@dataclass(frozen=True)
class ServiceIndex:
    source: str
    checked: str
    scoring: str
    points: float | None
    measured_max: int
    points_max: int
    groups: list[Group]


def service_index(session: Session, shot: Snapshot) -> ServiceIndex:
    ratios = _ratios(session, shot)
    data = definition()
    groups = [_group(group, ratios) for group in data["groups"]]
    measured = [group for group in groups if group.points is not None]
    return ServiceIndex(
        source=data["source"],
        checked=data["checked"],
        scoring=data["scoring"],
        points=round(sum(group.points or 0 for group in measured), 2) if measured else None,
        measured_max=sum(group.measured_max for group in groups),
        points_max=sum(group.points_max for group in groups),
        groups=groups,
    )


def _group(group: dict[str, Any], ratios: dict[str, Ratio]) -> Group:
    indicators = [_indicator(item, ratios.get(item["key"])) for item in group["indicators"]]
    scored = [item for item in indicators if item.points is not None]
    return Group(
        key=group["key"],
        name_vi=group["name_vi"],
        name_en=group["name_en"],
        points_max=group["points"],
        measured_max=sum(item.points_max for item in indicators if item.measured),
        points=round(sum(item.points or 0 for item in scored), 2) if scored else None,
        unconfirmed=group["unconfirmed"],
        indicators=indicators,
    )


def _indicator(item: dict[str, Any], ratio: Ratio | None) -> Indicator:
    measured = bool(item["measured"]) and ratio is not None
    counted = measured and ratio is not None and ratio.denominator > 0
    share = ratio.numerator / ratio.denominator if counted and ratio else None
    return Indicator(
        key=item["key"],
        name_vi=item["name_vi"],
        name_en=item["name_en"],
        formula=item["formula"],
        points_max=item["points"],
        points=None if share is None else round(item["points"] * share, 2),
        measured=measured,
        numerator=ratio.numerator if measured and ratio else None,
        denominator=ratio.denominator if measured and ratio else None,
        value=None if share is None else round(share * 100, 2),
        unconfirmed=item["unconfirmed"],
        figure=item.get("figure"),
        why_not=item.get("why_not"),
    )


def _ratios(session: Session, shot: Snapshot) -> dict[str, Ratio]:
    """Numerator and denominator of every indicator our data feeds."""
    # The index counts settled dossiers only, whatever formula the dashboard shows.
    figures = compute(shot, SETTLED_ONLY).counts
    settled_days: dict[int, list[float]] = {}
    received_ids: list[int] = []
    returned = electronic = 0
    for row, names in shot.rows:
        if "received" in names:
            received_ids.append(row.id)
        if "settled" in names:
            settled_days.setdefault(row.procedure_id, []).append(shot.processing_days(row))
            if row.status == "result_returned":
                returned += 1
                electronic += row.delivery_method == "electronic"
    limits = _limits(session, list(settled_days))
    within = sum(1 for code, days in settled_days.items() if sum(days) / len(days) <= limits[code])
    return {
        "on_time_share": Ratio(figures[EARLY] + figures[ON_TIME], figures["settled"]),
        "average_time": Ratio(within, len(settled_days)),
        "online_dossiers": Ratio(figures["online"], figures["received"]),
        "electronic_results": Ratio(electronic, returned),
        "digitized_dossiers": Ratio(_with_files(session, received_ids), len(received_ids)),
    }


def _limits(session: Session, procedure_ids: list[int]) -> dict[int, float]:
    """The current statutory limit of each procedure, in working days."""
    rows = session.execute(
        select(Procedure.id, ProcedureVersion.time_limit_days, ProcedureVersion.time_limit_unit)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .where(Procedure.id.in_(procedure_ids))
    ).all()
    return {
        row.id: row.time_limit_days if row.time_limit_unit == "days" else row.time_limit_days / 8
        for row in rows
    }


def _with_files(session: Session, dossier_ids: list[int]) -> int:
    """Dossiers holding at least one electronic file (scanned or uploaded)."""
    count = 0
    for start in range(0, len(dossier_ids), 1000):
        chunk = dossier_ids[start : start + 1000]
        count += len(
            session.scalars(
                select(Attachment.dossier_id).where(Attachment.dossier_id.in_(chunk)).distinct()
            ).all()
        )
    return count
