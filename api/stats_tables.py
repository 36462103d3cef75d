"""The leaders' tables as rows: one definition serves the page, CSV and XLSX, so a download
holds the numbers the screen shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.analytics.dashboard import FigureDossier
from engine.analytics.dashboard import ProcedureFigures
from engine.analytics.figures import FIGURES
from engine.analytics.figures import LABELS_VI
from engine.analytics.figures import Figures
from engine.analytics.service_index import ServiceIndex
from engine.analytics.trends import TrendPoint
from engine.rules.calendar import local_iso

Table = tuple[list[str], list[list[Any]]]
RATES = ("on_time_rate", "online_share", "average_days", "median_days", "satisfaction")
PROCEDURE_COLUMNS = (
    "received",
    "online",
    "settled",
    "early",
    "on_time",
    "late",
    "on_time_rate",
    "in_progress",
    "overdue",
    "paused",
    "refused",
    "withdrawn",
    "median_days",
)


def _same(text: str) -> str:
    return text


def figures_table(figures: Figures, tr: Callable[[str], str] = _same) -> Table:
    values = figures.as_dict()
    rows = [[name, tr(LABELS_VI[name]), values[name]] for name in (*FIGURES, *RATES)]
    return [tr("Mã chỉ số"), tr("Chỉ số"), tr("Giá trị")], rows


def procedures_table(items: list[ProcedureFigures], tr: Callable[[str], str] = _same) -> Table:
    headers = [tr("Mã thủ tục"), tr("Thủ tục"), tr("Thời hạn (ngày làm việc)")]
    headers += [tr(LABELS_VI[name]) for name in PROCEDURE_COLUMNS]
    rows = []
    for item in items:
        values = item.figures.as_dict()
        rows.append(
            [item.code, item.name, item.time_limit_days]
            + [values[name] for name in PROCEDURE_COLUMNS]
        )
    return headers, rows


def trend_table(points: list[TrendPoint], tr: Callable[[str], str] = _same) -> Table:
    headers = [
        tr("Từ ngày"),
        tr("Đã tiếp nhận"),
        tr("Trực tuyến"),
        tr("Đã giải quyết"),
        tr("Trước hạn và đúng hạn"),
        tr("Quá hạn"),
        tr("Tỷ lệ đúng hạn (%)"),
    ]
    rows = [
        [p.start.isoformat(), p.received, p.online, p.settled, p.in_time, p.late, p.on_time_rate]
        for p in points
    ]
    return headers, rows


def index_table(index: ServiceIndex, tr: Callable[[str], str] = _same) -> Table:
    headers = [
        tr("Nhóm"),
        tr("Chỉ số"),
        tr("Công thức"),
        tr("Tử số"),
        tr("Mẫu số"),
        tr("Tỷ lệ (%)"),
        tr("Điểm đạt"),
        tr("Điểm tối đa"),
        tr("Chưa xác nhận"),
    ]
    rows = [
        [
            group.name_vi,
            item.name_vi,
            item.formula,
            item.numerator,
            item.denominator,
            item.value,
            item.points,
            item.points_max,
            item.unconfirmed,
        ]
        for group in index.groups
        for item in group.indicators
    ]
    return headers, rows


def dossiers_table(items: list[FigureDossier], tr: Callable[[str], str] = _same) -> Table:
    headers = [
        tr("Mã hồ sơ"),
        tr("Thủ tục"),
        tr("Đơn vị"),
        tr("Trạng thái"),
        tr("Kênh"),
        tr("Tiếp nhận lúc"),
        tr("Hạn giải quyết"),
        tr("Kết thúc lúc"),
        tr("Tiến độ"),
    ]
    rows = [
        [
            item.code,
            item.procedure_name,
            item.unit_name,
            item.status_label,
            item.channel,
            local_iso(item.received_at),
            local_iso(item.due_at),
            local_iso(item.finished_at),
            item.timeliness,
        ]
        for item in items
    ]
    return headers, rows
