"""The dossier list page's query string as a clerk types it (dates as dd/mm/yyyy): read into the
API's filters, each bad value dropped with a message in the page's language, never a blank page.
An unknown sort falls back to the default order without a word (it only comes from edited URLs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from typing import Any

from api.pages.common import load_form
from api.pages.i18n import translate
from api.schemas.dossier_list import DossierQuery
from engine.errors import InvalidData
from engine.queries.dossier_list import DEFAULT_SORT
from engine.queries.dossier_list import SORTS
from engine.queries.dossier_list import DossierFilters

PER_PAGE = 20
FILTER_KEYS = ("q", "status", "procedure", "from", "to", "unit", "channel", "point")
DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
"""How the page writes a day, and the API's way, which a link may carry."""
FIRST_SORT = {"received_at": "-received_at", "due_at": "due_at", "code": "code", "status": "status"}
"""A column header's first click: newest received first, soonest due first, codes and statuses
in their order; the next click turns it round."""


@dataclass
class ListRequest:
    filters: DossierFilters
    sort: str
    page: int
    values: dict[str, str]
    """What the clerk typed, to fill the filter bar again."""
    errors: dict[str, str] = field(default_factory=dict)


def read_list_request(args: Mapping[str, str]) -> ListRequest:
    values = {key: args.get(key, "").strip() for key in (*FILTER_KEYS, "sort", "page")}
    values = {key: value for key, value in values.items() if value}
    data: dict[str, Any] = {key: value for key, value in values.items() if key != "sort"}
    errors: dict[str, str] = {}
    for key in ("from", "to"):
        if key in data:
            day = parse_day(data[key])
            if day is None:
                del data[key]
                errors[key] = translate(
                    "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 08/12/2026."
                )
            else:
                data[key] = day.isoformat()
    data["per_page"] = PER_PAGE
    try:
        loaded = load_form(DossierQuery(), data)
    except InvalidData as error:
        for key in error.errors:
            data.pop(key, None)
            if key != "page":
                errors[key] = translate("Giá trị lọc không hợp lệ nên đã bỏ qua.")
        loaded = load_form(DossierQuery(), data)
    sort = values.get("sort", DEFAULT_SORT)
    filters = DossierFilters(
        **{k: v for k, v in loaded.items() if k not in ("page", "per_page", "sort")}
    )
    return ListRequest(
        filters, sort if sort in SORTS else DEFAULT_SORT, loaded["page"], values, errors
    )


def parse_day(text: str) -> date | None:
    for pattern in DAY_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def without(request: ListRequest, fields: Mapping[str, str]) -> ListRequest:
    """The request with the filters the engine refused dropped and its messages kept (field ->
    message; "to" is a reversed period: both of its days go)."""
    dropped: dict[str, Any] = {}
    for key in fields:
        if key in ("from", "to"):
            dropped.update(received_from=None, received_to=None)
        elif key in ("unit", "procedure"):
            dropped[key] = None
    return replace(
        request, filters=replace(request.filters, **dropped), errors={**request.errors, **fields}
    )


def next_sort(current: str, key: str) -> str:
    """The sort a column header's link asks for."""
    if current == key:
        return f"-{key}"
    if current == f"-{key}":
        return key
    return FIRST_SORT[key]
