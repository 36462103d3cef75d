"""The citizen-service index of Decision 766/QĐ-TTg, computed locally: the indicators the
platform's data can feed get numerator, denominator and points; the others stay "not measured
here" (None, never 0). Weights, formulas and sources live in service_index.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.analytics.figures import HOURS_PER_DAY
from engine.analytics.figures import Snapshot
from engine.analytics.figures import count_by
from engine.analytics.figures import settled_hours
from engine.models import Attachment
from engine.models import Dossier
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
    """Numerator and denominator of every indicator our data feeds: the dashboard's aggregates,
    one query for the counts and one for each procedure's average time."""
    received, settled = shot.figure("received"), shot.figure("settled")
    returned = settled & (Dossier.status == "result_returned")
    with_files = exists().where(Attachment.dossier_id == Dossier.id)
    counts = count_by(
        shot,
        {
            "received": received,
            "online": shot.figure("online"),
            "settled": settled,
            "in_time": shot.figure(EARLY) | shot.figure(ON_TIME),
            "returned": returned,
            "electronic": returned & (Dossier.delivery_method == "electronic"),
            "with_files": received & with_files,
        },
    )[None]
    # The index counts settled dossiers only, whatever formula the dashboard shows.
    hours = settled_hours(shot, group=Dossier.procedure_id)
    limits = _limits(session, list(hours))
    within = sum(1 for key, (average, _) in hours.items() if average / HOURS_PER_DAY <= limits[key])
    return {
        "on_time_share": Ratio(counts["in_time"], counts["settled"]),
        "average_time": Ratio(within, len(hours)),
        "online_dossiers": Ratio(counts["online"], counts["received"]),
        "electronic_results": Ratio(counts["electronic"], counts["returned"]),
        "digitized_dossiers": Ratio(counts["with_files"], counts["received"]),
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
