"""8. The dossier list's search and filters among many dossiers, on the inbox's generated data set
(PostgreSQL): `GET /api/v1/dossiers?...` through the Flask test client with a user's bearer
token, first page (20) with its total, as a clerk of one commune (the generated users, one or two
roles in one commune, ~10k dossiers of the 1M in sight) and as the administrator (every unit;
20 requests of each kind, without a target: each counts the whole province's dossiers).

Queries, each for a fresh random user and random values from the data:
- name without accents: a generated applicant's full name folded ("nguyen van an");
- ID number: 6 leading digits of a generated applicant's CCCD;
- code prefix: a dossier code's unit and day ("c005-2612", typed lower-case);
- procedure + period: one shipped procedure, 30 days of the 60 generated;
- sort: due date, soonest first, no filter.
The first 10 requests of each kind warm up and are not counted.
"""

from __future__ import annotations

import os
import random
import statistics
import time
import urllib.parse
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import datagen
import harness
import psycopg

TARGET_MS = 50.0
QUERIES = 200
ADMIN_QUERIES = 20
"""The administrator's lists count every dossier of the province: seconds each, so fewer."""
WARMUP = 10
RULE = "/api/v1/dossiers"


def _values(url: str, seed: int = 17) -> dict[str, list[Any]]:
    """Search values drawn from the generated rows (names, ID numbers, codes, days)."""
    from engine.rules.folding import fold

    rng = random.Random(seed)
    with psycopg.connect(datagen.psycopg_dsn(url)) as conn:
        low, high = conn.execute("SELECT min(id), max(id) FROM dossier").fetchone() or (0, 0)
        wanted = [rng.randint(low, high) for _ in range(QUERIES + WARMUP)]
        rows = conn.execute(
            "SELECT applicant->>'full_name', applicant->>'id_number', code FROM dossier"
            " WHERE id = ANY(%s)",
            (wanted,),
        ).fetchall()
        first, last = conn.execute(
            "SELECT min(received_at), max(received_at) FROM dossier"
        ).fetchone() or (None, None)
        procedures = [r[0] for r in conn.execute("SELECT code FROM procedure ORDER BY code")]
    days = (last - first).days
    return {
        "names": [fold(r[0]) for r in rows],
        "ids": [r[1][:6] for r in rows],
        "codes": [r[2][: r[2].index("-") + 5].lower() for r in rows],
        "periods": [
            (start, start + timedelta(days=29))
            for start in (
                (first + timedelta(days=rng.randrange(max(1, days - 29)))).date() for _ in rows
            )
        ],
        "procedures": [rng.choice(procedures) for _ in rows],
    }


def _queries(values: dict[str, list[Any]]) -> dict[str, Callable[[int], dict[str, str]]]:
    def period(i: int) -> dict[str, str]:
        start, end = values["periods"][i]
        return {
            "procedure": values["procedures"][i],
            "from": start.isoformat(),
            "to": end.isoformat(),
        }

    return {
        "name without accents": lambda i: {"q": values["names"][i]},
        "ID number": lambda i: {"q": values["ids"][i]},
        "code prefix": lambda i: {"q": values["codes"][i]},
        "procedure + period": period,
        "sort by due date": lambda i: {"sort": "due_at"},
    }


class Searches:
    """Times each request, and the CPU it costs this process and its PostgreSQL backends: on a
    machine other work shares, CPU per request holds still where milliseconds do not."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import event

        self.app = harness.make_app(url)
        self.client = self.app.test_client()
        self.backends: set[int] = set()
        event.listen(harness.app_engine(self.app), "connect", self._remember)
        self.cpu_ms: dict[str, float] = {}

    def _remember(self, dbapi_connection: Any, _record: Any) -> None:
        self.backends.add(dbapi_connection.info.backend_pid)

    def _cpu(self) -> float:
        return time.process_time() + sum(_cpu_seconds(pid) for pid in self.backends)

    def timed(self, headers: dict[str, str], query: dict[str, str]) -> tuple[float, float]:
        path = f"{RULE}?{urllib.parse.urlencode(query)}"
        cpu, started = self._cpu(), time.perf_counter()
        response = self.client.get(path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"search: {path} -> {response.status_code} {response.json}")
        return elapsed, (self._cpu() - cpu) * 1000

    def collect(
        self,
        users: list[dict[str, str]],
        queries: dict[str, Callable[[int], dict[str, str]]],
        count: int,
    ) -> dict[str, list[float]]:
        samples: dict[str, list[float]] = {name: [] for name in queries}
        self.cpu_ms = dict.fromkeys(queries, 0.0)
        for index in range(WARMUP + count):
            headers = users[index % len(users)]
            for name, query in queries.items():
                elapsed, cpu = self.timed(headers, query(index))
                if index >= WARMUP:
                    samples[name].append(elapsed)
                    self.cpu_ms[name] += cpu
        return samples


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process on this machine (a PostgreSQL backend); 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(options: harness.Options) -> list[harness.Result]:
    size = options.pick(100_000, 1_000_000)
    harness.section(f"8. dossier search and filters: {size:,} dossiers (postgresql)")
    dataset = datagen.ensure(options.big_database_url, dossiers=size, regenerate=options.regenerate)
    how = "reused" if dataset.reused else f"generated in {dataset.seconds:.0f} s"
    harness.say(f"data set: {dataset.dossiers:,} dossiers ({how})")
    searches = Searches(dataset.url)
    queries = _queries(_values(dataset.url))
    clerks = [
        harness.token_headers(searches.app, uid)
        for uid in datagen.sample_users(dataset.url, WARMUP + QUERIES)
    ]
    found = []
    admin = [harness.login(searches.client)]
    for who, users, count in (("clerk", clerks, QUERIES), ("admin", admin, ADMIN_QUERIES)):
        for name, values in searches.collect(users, queries, count).items():
            p95 = harness.percentile(values, 0.95)
            cpu = searches.cpu_ms[name] / len(values)
            harness.say(
                f"{who:<6} {name:<21} {harness.summary_ms(values)}; CPU {cpu:.1f} ms a request"
                " (this process and PostgreSQL)"
            )
            judged = who == "clerk"
            found.append(
                harness.Result(
                    f"8 search, {who}, {name} ({size // 1000}k dossiers)",
                    f"p95 {p95:.1f} ms (p50 {statistics.median(values):.1f}, CPU {cpu:.1f})",
                    f"p95 < {TARGET_MS:.0f} ms" if judged else "-",
                    p95 < TARGET_MS if judged else None,
                )
            )
    harness.app_engine(searches.app).dispose()
    return found


def run(options: harness.Options) -> list[harness.Result]:
    problem = harness.reachable(options.big_database_url)
    if problem is not None:
        return [harness.skipped("8 search", f"p95 < {TARGET_MS:.0f} ms", problem)]
    return measure(options)
