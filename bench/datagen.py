"""Bulk data for the inbox and lookup benchmarks: communes, users, dossiers, tasks, events.

The schema comes from the app's own migrations (harness.build_app), so tables and indexes are the
real ones; the rows then go in with PostgreSQL COPY (psycopg 3), not through the API. Per
dossier: one completed task (its first step), one open task, and three events (received, task
completed, task created). A marker table remembers what was generated, against which schema;
the next run reuses the data when nothing changed (pass --regenerate to run.py to force).

Columns the generator does not know get the model's Python default, or NULL when the database
allows it; a new NOT NULL column without a default stops the run and names itself.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
import uuid
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import harness
import psycopg
from sqlalchemy.engine import make_url

GENERATOR_VERSION = 4
COMMUNES = 100
"""Communes and wards of the province, the two demo communes included."""
USERS = 10_000
LOCAL = timedelta(hours=7)
MARKER = "bench_dataset"
ROLE_WEIGHTS = {
    "reception": 20,
    "civil_status": 20,
    "commune_police": 15,
    "social_insurance": 15,
    "labour_social": 20,
    "leader": 10,
}
SECOND_ROLE_SHARE = 0.10
ASSIGNED_SHARE = 0.40
"""Open tasks already held by someone; the rest wait in their role's queue."""
POINT_KINDS = ("counter", "mobile", "health_facility")
POINT_WEIGHTS = (80, 10, 10)
"""Where dossiers were taken in (engine.dossiers.receive.RECEPTION_POINT_KINDS)."""
RECEIVED_ELSEWHERE_SHARE = 0.10
"""Dossiers received at another commune than the competent one (no administrative boundaries)."""
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai")


@dataclass(frozen=True)
class Dataset:
    url: str
    dossiers: int
    users: int
    communes: int
    seconds: float
    reused: bool

    @property
    def open_tasks(self) -> int:
        return self.dossiers


@dataclass(frozen=True)
class Version:
    id: int
    procedure_id: int
    number: int
    spec_key: str
    time_limit_days: int
    steps: tuple[Any, ...]
    """engine.bpmn.compiler.HumanStep of the version, in diagram order."""
    procedure_code: str = ""


def psycopg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- reuse -----------------------------------------------------------------------------------


def _fingerprint(conn: psycopg.Connection[Any], params: dict[str, Any]) -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(harness.ROOT / "migrations"))
    heads = sorted(ScriptDirectory.from_config(config).get_heads())
    columns = conn.execute(
        "SELECT table_name || '.' || column_name || ':' || udt_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name <> %s ORDER BY 1",
        (MARKER,),
    ).fetchall()
    return json.dumps(
        {"params": params, "heads": heads, "columns": [c[0] for c in columns]}, sort_keys=True
    )


def _stored(conn: psycopg.Connection[Any]) -> str | None:
    exists = conn.execute("SELECT to_regclass(%s)", (MARKER,)).fetchone()
    if exists is None or exists[0] is None:
        return None
    row = conn.execute(f"SELECT fingerprint FROM {MARKER}").fetchone()  # noqa: S608
    return None if row is None else str(row[0])


def ensure(
    url: str,
    *,
    dossiers: int,
    users: int = USERS,
    communes: int = COMMUNES,
    seed: int = 7,
    regenerate: bool = False,
    mix: str = "inbox",
) -> Dataset:
    """The data set at this size in `url`: reused when already there, else generated afresh.
    `mix`: "inbox" (every dossier in progress, one open task each) or "analytics" (a year of
    dossiers as demo-year plays them: most settled, several procedure versions)."""
    params = {
        "mix": mix,
        "version": GENERATOR_VERSION if mix == "inbox" else ANALYTICS_VERSION,
        "dossiers": dossiers,
        "users": users,
        "communes": communes,
        "seed": seed,
    }
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as conn:
        stored = _stored(conn)
        if not regenerate and stored is not None and stored == _fingerprint(conn, params):
            return Dataset(url, dossiers, users, communes, 0.0, reused=True)
    started = time.perf_counter()
    app = harness.build_app(url)  # drops every table, migrates, seeds demo data and procedures
    if mix == "analytics":
        _publish_shorter_limits(app)
    versions = _versions(app, every=mix == "analytics")
    harness.app_engine(app).dispose()
    with psycopg.connect(psycopg_dsn(url)) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        # The rows are consistent by construction: no per-row foreign-key triggers while loading.
        conn.execute("SET session_replication_role = replica")
        indexes = _drop_secondary_indexes(conn, BULK_TABLES)
        kind = Generator if mix == "inbox" else AnalyticsGenerator
        kind(conn, random.Random(seed), versions).run(
            dossiers=dossiers, users=users, communes=communes
        )
        with _phase(f"{len(indexes)} secondary indexes rebuilt"):
            for definition in indexes:
                conn.execute(definition)
        conn.commit()
    with psycopg.connect(psycopg_dsn(url), autocommit=True) as conn, _phase("VACUUM ANALYZE"):
        for table in ("unit", "app_user", "user_role", *BULK_TABLES):
            conn.execute(f"VACUUM (ANALYZE) {table}")
        conn.execute(f"CREATE TABLE {MARKER} (fingerprint text NOT NULL)")
        conn.execute(
            f"INSERT INTO {MARKER} VALUES (%s)",  # noqa: S608
            (_fingerprint(conn, params),),
        )
    return Dataset(url, dossiers, users, communes, time.perf_counter() - started, reused=False)


BULK_TABLES = ("dossier", "task", "event")


@contextlib.contextmanager
def _phase(what: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    harness.say(f"  datagen: {what} in {time.perf_counter() - started:.1f} s")


def _drop_secondary_indexes(conn: psycopg.Connection[Any], tables: Sequence[str]) -> list[str]:
    """Drop the indexes no constraint owns (they are rebuilt after the load, which is much
    faster than keeping them up to date row by row); return their definitions."""
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public'"
        " AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
        " WHERE c.conindid = (quote_ident(i.indexname))::regclass)",
        (list(tables),),
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


def _versions(app: Any, *, every: bool = False) -> list[Version]:
    """The current version of each shipped procedure (`every`: all its versions, oldest first),
    with its human steps (from the cache)."""
    from sqlalchemy import select

    from engine.bpmn.versions import compiled_for
    from engine.bpmn.versions import spec_key_of
    from engine.models import Procedure
    from engine.models import ProcedureVersion

    with harness.session_factory(app)() as session:
        joined = (
            Procedure.id == ProcedureVersion.procedure_id
            if every
            else Procedure.current_version_id == ProcedureVersion.id
        )
        rows = session.scalars(
            select(ProcedureVersion)
            .join(Procedure, joined)
            .order_by(Procedure.code, ProcedureVersion.number)
        ).all()
        result = []
        for version in rows:
            compiled = compiled_for(session, spec_key_of(version), version.id)
            result.append(
                Version(
                    version.id,
                    version.procedure_id,
                    version.number,
                    spec_key_of(version),
                    version.time_limit_days,
                    tuple(compiled.steps.values()),
                    session.scalar(
                        select(Procedure.code).where(Procedure.id == version.procedure_id)
                    )
                    or "",
                )
            )
    if not result:
        raise SystemExit("datagen: no published procedure to make dossiers of")
    return result


# --- COPY with the real columns ---------------------------------------------------------------


_NO_DEFAULT = object()


def _python_default(table: str, column: str) -> Any:
    from engine.store.db import Base

    model = Base.metadata.tables.get(table)
    col = None if model is None else model.c.get(column)
    default = None if col is None else col.default
    if default is None:
        return _NO_DEFAULT
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return _plain(default.arg(None))
    return _NO_DEFAULT


def _plain(value: Any) -> Any:
    """Naive UTC for our UtcDateTime columns (timestamp without time zone)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


class Loader:
    """COPY rows given for `wanted` columns into `table`, completing the other columns."""

    def __init__(self, conn: psycopg.Connection[Any], table: str, wanted: Sequence[str]) -> None:
        self.conn = conn
        self.table = table
        info = conn.execute(
            "SELECT column_name, udt_name, is_nullable = 'YES', column_default IS NOT NULL"
            " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
            " ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        types = {name: udt for name, udt, _, _ in info}
        self.wanted = len(wanted)
        self.keep = [i for i, name in enumerate(wanted) if name in types]
        self.columns = [wanted[i] for i in self.keep]
        self.extra: list[Any] = []
        for name, _, nullable, has_default in info:
            if name in wanted:
                continue
            value = _python_default(table, name)
            if value is not _NO_DEFAULT:
                self.columns.append(name)
                self.extra.append(value)
            elif not (nullable or has_default):
                raise SystemExit(
                    f"datagen: {table}.{name} is NOT NULL without a default; "
                    "teach bench/datagen.py to fill it"
                )
        self.types = [types[name] for name in self.columns]

    def load(self, rows: Iterable[Sequence[Any]]) -> int:
        keep, extra = self.keep, tuple(self.extra)
        whole = len(keep) == self.wanted
        count = 0
        sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(self.types)
            for row in rows:
                values = tuple(row) if whole else tuple(row[i] for i in keep)
                copy.write_row(values + extra)
                count += 1
        return count


# --- the rows --------------------------------------------------------------------------------


class Generator:
    def __init__(
        self, conn: psycopg.Connection[Any], rng: random.Random, versions: list[Version]
    ) -> None:
        self.conn = conn
        self.rng = rng
        self.versions = versions
        self.now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        self.units: list[int] = []
        self.unit_codes: dict[int, str] = {}
        self.holders: dict[tuple[str, int], list[int]] = {}
        self.reception: list[int] = []

    def _next_id(self, table: str) -> int:
        row = self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()  # noqa: S608
        return int(row[0]) if row else 1

    def run(self, *, dossiers: int, users: int, communes: int) -> None:
        self.make_units(communes)
        self.make_users(users)
        self.make_dossiers(dossiers)
        for table in ("unit", "app_user", "user_role", "dossier", "task", "event"):
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT max(id) FROM {table}))"
            )

    def make_units(self, communes: int) -> None:
        existing = self.conn.execute("SELECT id, code, kind, parent_id FROM unit").fetchall()
        province = next(row[0] for row in existing if row[2] == "province")
        self.units = [row[0] for row in existing if row[2] != "province"]
        self.unit_codes = {row[0]: row[1] for row in existing}
        first = self._next_id("unit")
        new = []
        for offset, number in enumerate(range(len(self.units) + 1, communes + 1)):
            unit_id, code = first + offset, f"C{number:03d}"
            kind = "ward" if number % 5 == 0 else "commune"
            new.append((unit_id, code, f"Xã/Phường thử tải {number:03d}", kind, province))
            self.units.append(unit_id)
            self.unit_codes[unit_id] = code
        Loader(self.conn, "unit", ("id", "code", "name", "kind", "parent_id")).load(new)

    def make_users(self, users: int) -> None:
        from engine.access.accounts import hash_password

        password_hash = hash_password("bench")
        first = self._next_id("app_user")
        roles, weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
        grants = []
        people = []
        for n in range(users):
            user_id = first + n
            unit = self.units[n % len(self.units)]
            held = {self.rng.choices(roles, weights)[0]}
            if self.rng.random() < SECOND_ROLE_SHARE:
                held.add(self.rng.choices(roles, weights)[0])
            for role in sorted(held):
                grants.append((user_id, role, unit))
                self.holders.setdefault((role, unit), []).append(user_id)
            people.append((user_id, f"bench{n:05d}", password_hash, self._name(), True, self.now))
        Loader(
            self.conn,
            "app_user",
            ("id", "username", "password_hash", "full_name", "is_active", "created_at"),
        ).load(people)
        first_grant = self._next_id("user_role")
        Loader(self.conn, "user_role", ("id", "user_id", "role", "unit_id")).load(
            (first_grant + i, *grant) for i, grant in enumerate(grants)
        )
        self.reception = [
            user for (role, _), ids in self.holders.items() if role == "reception" for user in ids
        ]

    def _name(self) -> str:
        rng = self.rng
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def make_dossiers(self, count: int) -> None:
        first_dossier = self._next_id("dossier")
        first_task = self._next_id("task")
        first_event = self._next_id("event")
        with _phase(f"{count:,} dossiers planned"):
            plan = [self._plan(first_dossier + i) for i in range(count)]
        with _phase(f"{count:,} dossier rows copied"):
            Loader(self.conn, "dossier", DOSSIER_COLUMNS).load(self._dossier_rows(plan))
        with _phase(f"{2 * count:,} task rows copied"):
            Loader(self.conn, "task", TASK_COLUMNS).load(self._task_rows(plan, first_task))
        with _phase(f"{3 * count:,} event rows copied"):
            Loader(self.conn, "event", EVENT_COLUMNS).load(
                self._event_rows(plan, first_task, first_event)
            )

    def _plan(self, dossier_id: int) -> tuple[Any, ...]:
        """What the three tables need to agree on for one dossier."""
        rng = self.rng
        version = rng.choice(self.versions)
        competent = rng.choice(self.units)
        receiving = rng.choice(self.units) if rng.random() < RECEIVED_ELSEWHERE_SHARE else competent
        received = self.now - timedelta(seconds=rng.randrange(60 * 86400))
        step = rng.choice(version.steps[1:] or version.steps)
        holders = self.holders.get((step.role, competent), [])
        assignee = rng.choice(holders) if holders and rng.random() < ASSIGNED_SHARE else None
        due = self.now + timedelta(seconds=rng.randrange(-5 * 86400, 20 * 86400))
        return (dossier_id, version, competent, receiving, received, step, assignee, due)

    def _dossier_rows(self, plan: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        from engine.dossiers.lookup import KEY_ALPHABET
        from engine.dossiers.lookup import KEY_LENGTH
        from engine.rules.folding import search_text

        rng = self.rng
        sequence: dict[tuple[int, str], int] = {}
        keys: set[str] = set()
        empty: dict[str, Any] = {}
        for dossier_id, version, competent, receiving, received, _, _, _ in plan:
            day = (received + LOCAL).strftime("%y%m%d")
            number = sequence[receiving, day] = sequence.get((receiving, day), 0) + 1
            key = "".join(rng.choices(KEY_ALPHABET, k=KEY_LENGTH))
            while key in keys:
                key = "".join(rng.choices(KEY_ALPHABET, k=KEY_LENGTH))
            keys.add(key)
            due = received + timedelta(days=version.time_limit_days * 7 // 5 + 1)
            code = f"{self.unit_codes[receiving]}-{day}-{number:04d}"
            applicant = {
                "full_name": self._name(),
                "id_number": f"{rng.randrange(10**12):012d}",
                "phone": f"09{rng.randrange(10**8):08d}",
                "address": f"Số {rng.randrange(1, 300)} đường Lê Lợi",
            }
            yield (
                dossier_id,
                code,
                version.procedure_id,
                version.id,
                version.spec_key,
                "processing",
                rng.choice(("in_person", "online", "postal")),
                applicant,
                search_text(code, applicant),  # as receiving writes it
                rng.choices(POINT_KINDS, POINT_WEIGHTS)[0],
                empty,
                receiving,
                competent,
                received,
                due,
                None,
                rng.choice(self.reception) if self.reception else None,
                1,
                key,
                due,
            )

    def _task_rows(self, plan: list[tuple[Any, ...]], first: int) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        for index, (dossier_id, version, competent, _, received, step, assignee, due) in enumerate(
            plan
        ):
            done = version.steps[0]
            doer = self.holders.get((done.role, competent), [None])[0]
            finished = received + timedelta(hours=2)
            yield (
                first + 2 * index,
                dossier_id,
                str(uuid.UUID(int=rng.getrandbits(128))),
                done.element_id,
                done.name,
                done.role,
                competent,
                doer,
                "completed",
                done.form,
                received + timedelta(days=1),
                received,
                finished,
                doer,
            )
            yield (
                first + 2 * index + 1,
                dossier_id,
                str(uuid.UUID(int=rng.getrandbits(128))),
                step.element_id,
                step.name,
                step.role,
                competent,
                assignee,
                "open",
                step.form,
                due,
                finished,
                None,
                None,
            )

    def _event_rows(
        self, plan: list[tuple[Any, ...]], first_task: int, first: int
    ) -> Iterator[tuple[Any, ...]]:
        for index, (dossier_id, version, competent, receiving, received, step, _, _) in enumerate(
            plan
        ):
            done = version.steps[0]
            finished = received + timedelta(hours=2)
            detail = {"channel": "in_person", "procedure_version": version.number}
            at = first + 3 * index
            yield (
                at,
                dossier_id,
                "received",
                received,
                None,
                receiving,
                competent,
                None,
                None,
                None,
                detail,
            )
            yield (
                at + 1,
                dossier_id,
                "task_completed",
                finished,
                None,
                competent,
                None,
                first_task + 2 * index,
                done.element_id,
                done.name,
                {"data": {}},
            )
            yield (
                at + 2,
                dossier_id,
                "task_created",
                finished,
                None,
                competent,
                competent,
                first_task + 2 * index + 1,
                step.element_id,
                step.name,
                {"role": step.role},
            )


DOSSIER_COLUMNS = (
    "id",
    "code",
    "procedure_id",
    "procedure_version_id",
    "spec_key",
    "status",
    "channel",
    "applicant",
    "search_text",
    "reception_point_kind",
    "data",
    "receiving_unit_id",
    "competent_unit_id",
    "received_at",
    "due_at",
    "finished_at",
    "created_by",
    "lock_version",
    "lookup_key",
    "original_due_at",
)
TASK_COLUMNS = (
    "id",
    "dossier_id",
    "spiff_task_id",
    "element_id",
    "name",
    "role",
    "unit_id",
    "assignee_id",
    "state",
    "form",
    "due_at",
    "created_at",
    "completed_at",
    "completed_by",
)
ANALYTICS_TASK_COLUMNS = (*TASK_COLUMNS, "taken_at")
"""The analytics mix's tasks also say when they were first taken (migration 0019): the claim's
moment, as the trigger on `event` writes it for a live claim."""
EVENT_COLUMNS = (
    "id",
    "dossier_id",
    "kind",
    "at",
    "actor_id",
    "unit_id",
    "to_unit_id",
    "task_id",
    "element_id",
    "step_name",
    "detail",
)


# --- the analytics mix: a year of dossiers, most settled ------------------------------------

ANALYTICS_VERSION = 2
"""2: finished dossiers carry timeliness and working_hours (migration 0018)."""
SHORTER_LIMITS = {"newborn_bundle": 5, "social_allowance": 7}
"""Version 2 of each shipped procedure cuts its statutory limit (days), published 120 days
before now: the before/after figures have two versions to compare."""
VERSION_CHANGE_DAYS = 120
PATHS = {
    "newborn_bundle": (
        ("check_dossier",),
        ("register_birth",),
        ("register_residence", "issue_health_insurance_card"),
        ("return_results",),
    ),
    "social_allowance": (
        ("verify_beneficiary",),
        ("guide_online_submission",),
        ("process_dossier",),
        ("return_result",),
    ),
}
"""The happy path of each procedure, stage by stage (a stage's steps run in parallel)."""
WALL_HOURS = {
    "check_dossier": (0.5, 0.3),
    "register_birth": (3.0, 0.6),
    "register_residence": (36.0, 1.5),
    "issue_health_insurance_card": (15.0, 0.5),
    "return_results": (9.0, 0.2),
    "verify_beneficiary": (12.0, 1.0),
    "guide_online_submission": (9.0, 0.5),
    "process_dossier": (66.0, 3.0),
    "return_result": (12.0, 0.3),
}
"""Median wall-clock hours a step waits (created to claimed), then is worked (to completed):
engine/demo/plan.py's working hours times three (nights and weekends)."""
CHANNEL_WEIGHTS = {"in_person": 58, "online": 32, "postal": 10}
ANALYTICS_POINT_WEIGHTS = {"counter": 80, "mobile": 13, "health_facility": 7}
SLOW_SHARE, REFUSED_SHARE, WITHDRAWN_SHARE, PAUSED_SHARE = 0.09, 0.07, 0.02, 0.08


def _publish_shorter_limits(app: Any) -> None:
    """Version 2 of each shipped procedure, published through the catalogue as a designer's
    change would be: the same diagram with a shorter statutory limit."""
    import shutil
    import tempfile
    from pathlib import Path

    from api.database import new_uow
    from engine.catalogue.demo import seed
    from engine.catalogue.folders import publish_catalogue

    with tempfile.TemporaryDirectory() as scratch, app.app_context():
        folder = Path(scratch) / "processes"
        shutil.copytree(harness.ROOT / "processes", folder)
        for code, days in SHORTER_LIMITS.items():
            path = folder / code / "metadata.json"
            metadata = json.loads(path.read_text())
            metadata["time_limit"] = days
            path.write_text(json.dumps(metadata, ensure_ascii=False))
        with new_uow() as uow:
            admin = seed(uow)
        publish_catalogue(new_uow, admin, folder)


class AnalyticsGenerator(Generator):
    """Per dossier, what demo-year's commands write, column by column: the received event; per
    step a task row (created, claimed by its holder, completed) with its task_created,
    task_claimed and task_completed events; status_changed on each status move; the ending
    (result_returned with returned_at, refused, withdrawn, or still open at `now`)."""

    CHUNK = 20_000
    TEMPLATE = 10_000
    """Dossiers played in Python; a larger data set copies them in SQL (_replicate)."""

    def make_dossiers(self, count: int) -> None:
        template = min(count, self.TEMPLATE)
        self._play(template)
        if count > template:
            with _phase(f"{count - template:,} more dossiers copied from them in SQL"):
                self._replicate(-(-count // template), count)

    def _play(self, count: int) -> None:
        ids = [self._next_id(t) for t in ("dossier", "task", "event")]
        self.ids = {"dossier": ids[0], "task": ids[1], "event": ids[2]}
        loaders = {
            "dossier": Loader(self.conn, "dossier", ANALYTICS_DOSSIER_COLUMNS),
            "task": Loader(self.conn, "task", ANALYTICS_TASK_COLUMNS),
            "event": Loader(self.conn, "event", EVENT_COLUMNS),
        }
        self.sequence: dict[tuple[int, str], int] = {}
        self.keys: set[str] = set()
        self.by_code: dict[str, list[Version]] = {}
        for version in self.versions:
            self.by_code.setdefault(version.procedure_code, []).append(version)
        self.days = self._days()
        totals = dict.fromkeys(loaders, 0)
        with _phase(f"{count:,} dossiers with their tasks and events copied"):
            for start in range(0, count, self.CHUNK):
                rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in loaders}
                for _ in range(min(self.CHUNK, count - start)):
                    self._dossier(rows)
                for name, loader in loaders.items():
                    totals[name] += loader.load(rows[name])
        harness.say(
            f"  datagen: {totals['dossier']:,} dossiers, {totals['task']:,} tasks, "
            f"{totals['event']:,} events"
        )

    def _replicate(self, copies: int, count: int) -> None:
        """Copies 1..copies-1 of the played dossiers, each with its communes rotated by k (the
        same times, steps and outcomes in another commune), new ids, codes, lookup keys, task
        ids and holders; cut at `count` dossiers. Python plays a year at ~1 ms per dossier on
        an idle core: a million would take a quarter of an hour; the server copies it in
        minutes."""
        conn = self.conn
        spans = {
            table: int((conn.execute(f"SELECT max(id) FROM {table}").fetchone() or (0,))[0])  # noqa: S608
            for table in ("dossier", "task", "event")
        }
        alphabet = KEY_ALPHABET_SQL
        key = " || ".join(
            f"substr('{alphabet}', ((({{id}}) >> {5 * i}) & 31)::int + 1, 1)" for i in range(6)
        )
        conn.execute(f"UPDATE dossier SET lookup_key = {key.format(id='id')}")  # noqa: S608
        conn.execute(
            "CREATE TEMP TABLE bench_upos AS SELECT id AS unit_id,"
            " row_number() OVER (ORDER BY id) - 1 AS pos FROM unit WHERE kind <> 'province'"
        )
        conn.execute(
            "CREATE TEMP TABLE bench_umap AS SELECT k, a.unit_id AS old_id, b.unit_id AS new_id"
            " FROM generate_series(1, %s) AS g(k) CROSS JOIN bench_upos a JOIN bench_upos b"
            " ON b.pos = (a.pos + k) %% (SELECT count(*) FROM bench_upos)",
            (copies - 1,),
        )
        conn.execute("CREATE UNIQUE INDEX ON bench_umap (k, old_id)")
        conn.execute(
            "CREATE TEMP TABLE bench_holder AS SELECT role, unit_id, min(user_id) AS user_id"
            " FROM user_role GROUP BY 1, 2"
        )
        conn.execute(f"CREATE TEMP TABLE bench_k AS SELECT generate_series(1, {copies - 1}) k")
        d, t, e = spans["dossier"], spans["task"], spans["event"]
        new_id = f"d.id + bench_k.k * {d}"
        dossier = {
            "id": new_id,
            "code": "u.code || '-' || split_part(d.code, '-', 2) || '-'"
            " || lpad((bench_k.k * 10 + split_part(d.code, '-', 3)::int)::text, 4, '0')",
            "competent_unit_id": "mc.new_id",
            "receiving_unit_id": "mr.new_id",
            "lookup_key": key.format(id=new_id),
        }
        self._copy(
            "dossier d",
            dossier,
            "JOIN bench_umap mc ON mc.k = bench_k.k AND mc.old_id = d.competent_unit_id"
            " JOIN bench_umap mr ON mr.k = bench_k.k AND mr.old_id = d.receiving_unit_id"
            " JOIN unit u ON u.id = mr.new_id",
            f"d.id + bench_k.k * {d} <= {count}",
        )
        task = {
            "id": f"d.id + bench_k.k * {t}",
            "dossier_id": f"d.dossier_id + bench_k.k * {d}",
            "unit_id": "m.new_id",
            "spiff_task_id": "gen_random_uuid()::text",
            "assignee_id": "CASE WHEN d.assignee_id IS NULL THEN NULL ELSE h.user_id END",
            "completed_by": "CASE WHEN d.completed_by IS NULL THEN NULL ELSE h.user_id END",
        }
        self._copy(
            "task d",
            task,
            "JOIN bench_umap m ON m.k = bench_k.k AND m.old_id = d.unit_id"
            " LEFT JOIN bench_holder h ON h.role = d.role AND h.unit_id = m.new_id",
            f"d.dossier_id + bench_k.k * {d} <= {count}",
        )
        event = {
            "id": f"d.id + bench_k.k * {e}",
            "dossier_id": f"d.dossier_id + bench_k.k * {d}",
            "task_id": f"d.task_id + bench_k.k * {t}",
            "unit_id": "m.new_id",
            "to_unit_id": "n.new_id",
        }
        self._copy(
            "event d",
            event,
            "LEFT JOIN bench_umap m ON m.k = bench_k.k AND m.old_id = d.unit_id"
            " LEFT JOIN bench_umap n ON n.k = bench_k.k AND n.old_id = d.to_unit_id",
            f"d.dossier_id + bench_k.k * {d} <= {count}",
        )

    def _copy(self, source: str, overrides: dict[str, str], joins: str, where: str) -> None:
        table = source.split()[0]
        columns = [
            r[0]
            for r in self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name = %s ORDER BY ordinal_position",
                (table,),
            )
        ]
        values = ", ".join(overrides.get(c, f"d.{c}") for c in columns)
        with _phase(f"{table} copies"):
            self.conn.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values}"  # noqa: S608
                f" FROM {source} CROSS JOIN bench_k {joins} WHERE {where}"
            )

    def _days(self) -> tuple[list[datetime], list[float]]:
        """Midnights (local, naive) of the working days of the last year, with arrival weights."""
        from engine.rules import calendar

        weights = (1.35, 1.1, 1.0, 1.0, 0.85, 0.3, 0.0)
        local_now = self.now + LOCAL
        days, chances = [], []
        for back in range(365, 0, -1):  # up to yesterday: no arrival after now
            day = (local_now - timedelta(days=back)).date()
            if calendar.is_working_day(day):
                days.append(datetime(day.year, day.month, day.day))
                chances.append(weights[day.weekday()])
        return days, chances

    def _new_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def _dossier(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        rng = self.rng
        day = rng.choices(*self.days)[0]
        received = day + timedelta(hours=7.5 - 7 + rng.random() * 9)  # local 07:30-16:30 as UTC
        code = rng.choice(list(self.by_code))
        versions = self.by_code[code]
        changed = self.now - timedelta(days=VERSION_CHANGE_DAYS)
        version = versions[-1] if received >= changed or len(versions) == 1 else versions[-2]
        competent = rng.choice(self.units)
        receiving = competent if rng.random() > RECEIVED_ELSEWHERE_SHARE else rng.choice(self.units)
        channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        point = "counter"
        if channel == "in_person":
            point = rng.choices(
                list(ANALYTICS_POINT_WEIGHTS), list(ANALYTICS_POINT_WEIGHTS.values())
            )[0]
        dossier_id = self._new_id("dossier")
        due = received + timedelta(days=version.time_limit_days * 7 / 5 + 0.4)
        story = _Story(self, rows, dossier_id, version, competent, receiving, received)
        end = story.play(code, slow=rng.random() < SLOW_SHARE)
        local_day = (received + LOCAL).strftime("%y%m%d")
        number = self.sequence[receiving, local_day] = (
            self.sequence.get((receiving, local_day), 0) + 1
        )
        rows["dossier"].append(
            (
                dossier_id,
                f"{self.unit_codes[receiving]}-{local_day}-{number:04d}",
                version.procedure_id,
                version.id,
                version.spec_key,
                end.status,
                channel,
                {"full_name": self._name(), "id_number": f"{rng.randrange(10**12):012d}"},
                {},
                receiving,
                competent,
                received,
                due,
                end.finished,
                rng.choice(self.reception) if self.reception else None,
                1 + end.steps,
                self._key(),
                due,
                point,
                None if point == "counter" else "Điểm tiếp nhận lưu động",
                end.finished if end.status == "result_returned" else None,
                end.delivery,
                *_finished_record(received, due, end.finished),
            )
        )
        rows["event"].insert(
            story.first_event,
            (
                story.received_event,
                dossier_id,
                "received",
                received,
                None,
                receiving,
                competent,
                None,
                None,
                None,
                {
                    "channel": channel,
                    "procedure_version": version.number,
                    "reception_point": {"kind": point, "name": None},
                },
            ),
        )

    def _key(self) -> str:
        from engine.dossiers.lookup import KEY_ALPHABET
        from engine.dossiers.lookup import KEY_LENGTH

        key = "".join(self.rng.choices(KEY_ALPHABET, k=KEY_LENGTH))
        while key in self.keys:
            key = "".join(self.rng.choices(KEY_ALPHABET, k=KEY_LENGTH))
        self.keys.add(key)
        return key


def _finished_record(
    received: datetime, due: datetime, finished: datetime | None
) -> tuple[str | None, float | None]:
    """What engine.instance.finishing keeps on a finished dossier, by the same rule (naive UTC
    here, aware there)."""
    from engine.rules.timeliness import finished_record

    if finished is None:
        return None, None
    return finished_record(
        received_at=received.replace(tzinfo=UTC),
        due_at=due.replace(tzinfo=UTC),
        finished_at=finished.replace(tzinfo=UTC),
    )


@dataclass
class _End:
    status: str
    finished: datetime | None
    steps: int
    delivery: str | None


class _Story:
    """One dossier's tasks and events, in time order, cut at `now`."""

    def __init__(
        self,
        gen: AnalyticsGenerator,
        rows: dict[str, list[tuple[Any, ...]]],
        dossier_id: int,
        version: Version,
        unit: int,
        receiving: int,
        received: datetime,
    ) -> None:
        self.gen, self.rows, self.dossier_id = gen, rows, dossier_id
        self.version, self.unit, self.receiving, self.received = version, unit, receiving, received
        self.first_event = len(rows["event"])
        self.received_event = gen._new_id("event")
        self.steps = {step.element_id: step for step in version.steps}
        self.status = "received"
        self.completed = 0

    def event(
        self, kind: str, at: datetime, task: tuple[Any, ...] | None = None, **detail: Any
    ) -> None:
        task_id, element, name = (
            (task[0], task[1].element_id, task[1].name) if task else (None, None, None)
        )
        self.rows["event"].append(
            (
                self.gen._new_id("event"),
                self.dossier_id,
                kind,
                at,
                None,
                self.unit,
                self.unit if kind == "task_created" else None,
                task_id,
                element,
                name,
                detail,
            )
        )

    def move(self, to: str, at: datetime) -> None:
        self.event("status_changed", at, **{"from": self.status, "to": to})
        self.status = to

    def step(self, element_id: str, created: datetime, *, slow: bool) -> datetime:
        """One task row and its events; returns when it is (or will be) completed."""
        rng, now = self.gen.rng, self.gen.now
        step = self.steps[element_id]
        wait_median, work_median = WALL_HOURS[element_id]
        wait = rng.lognormvariate(0, 0.6) * wait_median
        if slow and element_id in ("register_residence", "process_dossier"):
            wait *= rng.uniform(4, 7)
        claimed = created + timedelta(hours=wait)
        done = claimed + timedelta(hours=max(0.05, rng.lognormvariate(0, 0.5) * work_median))
        task = (self.gen._new_id("task"), step)
        holder = self.gen.holders.get((step.role, self.unit), [None])[0]
        self.event("task_created", created, task, role=step.role)
        if claimed <= now:
            self.event("task_claimed", claimed, task)
        finished = done <= now
        if finished:
            self.event("task_completed", done, task, data={})
            self.completed += 1
        self.rows["task"].append(
            (
                task[0],
                self.dossier_id,
                str(uuid.UUID(int=rng.getrandbits(128))),
                element_id,
                step.name,
                step.role,
                self.unit,
                holder if claimed <= now else None,
                "completed" if finished else "open",
                step.form,
                created + timedelta(days=2),
                created,
                done if finished else None,
                holder if finished else None,
                claimed if claimed <= now else None,
            )
        )
        return done

    def play(self, code: str, *, slow: bool) -> _End:
        rng, now = self.gen.rng, self.gen.now
        clock = self.received
        roll = rng.random()
        ending = None
        if roll < REFUSED_SHARE + WITHDRAWN_SHARE:
            ending = "refused" if roll < REFUSED_SHARE else "withdrawn"
        for stage in PATHS[code]:
            ends = [self.step(element_id, clock, slow=slow) for element_id in stage]
            if max(ends) > now:  # still being worked at `now`
                if self.status == "received" and self.completed:
                    self.move("processing", min(ends))
                if rng.random() < PAUSED_SHARE:
                    self.move("supplement_requested", max(now - timedelta(hours=20), clock))
                return _End(self.status, None, self.completed, None)
            clock = max(ends)
            if self.status == "received":
                self.move("processing", clock)
            if ending is not None:
                self.event(ending, clock, reason="bench")
                self.move(ending, clock)
                return _End(ending, clock, self.completed, None)
        delivery = rng.choice(("in_person", "postal", "electronic"))
        self.move("result_returned", clock)
        self.event("result_returned", clock, method=delivery)
        return _End("result_returned", clock, self.completed, delivery)


KEY_ALPHABET_SQL = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""engine.dossiers.lookup.KEY_ALPHABET (32 letters): a copied dossier's key spells its id."""

ANALYTICS_DOSSIER_COLUMNS = (
    *DOSSIER_COLUMNS,
    "reception_point_kind",
    "reception_point_name",
    "returned_at",
    "delivery_method",
    "timeliness",
    "working_hours",
)


# --- samples for the benchmarks ---------------------------------------------------------------


def sample_users(url: str, count: int, seed: int = 11) -> list[int]:
    """Random generated users (each holds one or two roles in one commune)."""
    with psycopg.connect(psycopg_dsn(url)) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM app_user WHERE username LIKE 'bench%'")]
    return random.Random(seed).sample(ids, min(count, len(ids)))


def sample_dossiers(url: str, count: int, seed: int = 13) -> list[tuple[str, str | None]]:
    """(code, lookup key or None) of random dossiers."""
    with psycopg.connect(psycopg_dsn(url)) as conn:
        low, high = conn.execute("SELECT min(id), max(id) FROM dossier").fetchone() or (0, 0)
        rng = random.Random(seed)
        wanted = [rng.randint(low, high) for _ in range(count)]
        has_key = conn.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'dossier'"
            " AND column_name = 'lookup_key'"
        ).fetchone()
        key = "lookup_key" if has_key else "NULL"
        rows = conn.execute(
            f"SELECT id, code, {key} FROM dossier WHERE id = ANY(%s)",  # noqa: S608
            (wanted,),
        ).fetchall()
    by_id = {r[0]: (r[1], r[2]) for r in rows}
    return [by_id[i] for i in wanted if i in by_id]
