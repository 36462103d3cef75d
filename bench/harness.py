"""What every benchmark shares: building the app on a database, results, percentiles, machine.

Each benchmark module offers `run(options) -> list[Result]` and prints its own details while it
runs; `run.py` collects the results into the closing table.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/<module>.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from tests.support.database import drop_everything  # noqa: E402 - after the sys.path insert
from tests.support.round_trips import RoundTrips as RoundTrips  # noqa: E402 - the same, re-exported

BENCH = ROOT / "bench"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
DEFAULT_PG_BIG = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_big"
ADMIN = ("admin", "admin")
SECRET = "bench-secret"


@dataclass(frozen=True)
class Options:
    size: str
    """`reduced` (the whole run in minutes) or `full` (the sizes the targets name)."""
    database_url: str
    """PostgreSQL for the server, timer and PostgreSQL rows; every table is dropped first."""
    big_database_url: str
    """PostgreSQL holding the generated inbox / lookup data set (kept between runs)."""
    scratch: Path
    """A temporary folder for SQLite files, deleted after the run."""
    steps: int | None = None
    """Override of the step_vs_raw step count."""
    regenerate: bool = False
    """Generate the big data set even when the one in the database matches."""

    @property
    def full(self) -> bool:
        return self.size == "full"

    def pick(self, reduced: Any, full: Any) -> Any:
        return full if self.full else reduced

    def sqlite_url(self, name: str) -> str:
        return f"sqlite:///{self.scratch / name}.db"


@dataclass(frozen=True)
class Result:
    benchmark: str
    figure: str
    target: str
    met: bool | None
    """None: no target applies to this row, or the benchmark could not run."""


def skipped(benchmark: str, target: str, reason: str) -> Result:
    return Result(benchmark, f"not run: {reason}", target, None)


# --- numbers ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share 0.95 -> p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary_ms(values: Sequence[float]) -> str:
    return (
        f"p50 {statistics.median(values):.2f} ms, p95 {percentile(values, 0.95):.2f} ms, "
        f"max {max(values):.2f} ms (n={len(values)})"
    )


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    """Resident set size now, from /proc (Linux)."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: after fork + exec, Linux keeps the
    parent's peak in the child's ru_maxrss, so a child of a big parent would report the parent."""
    return _status_mb("VmHWM")


def ru_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- databases and the app -------------------------------------------------------------------


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def reachable(url: str) -> str | None:
    """None when the database answers, else why not (one line)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot use it"
        return str(exc).splitlines()[0]
    finally:
        engine.dispose()
    return None


def make_app(url: str, **config: Any) -> Any:
    from api import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "TESTING": True, **config}
    )


def build_app(url: str, **config: Any) -> Any:
    """A fresh database with the app's own migrations, demo units/users and shipped procedures."""
    from api.cli import prepare_database

    if is_postgresql(url):
        drop_everything(url)
    app = make_app(url, **config)
    with app.app_context(), quiet():
        prepare_database()
    return app


def app_engine(app: Any) -> Engine:
    from api.database import EXTENSION_KEY

    engine: Engine = app.extensions[EXTENSION_KEY].kw["bind"]
    return engine


def session_factory(app: Any) -> Any:
    from api.database import EXTENSION_KEY

    return app.extensions[EXTENSION_KEY]


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow the migration log and the list of published procedures."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield


def login(client: Any, username: str = ADMIN[0], password: str = ADMIN[1]) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    if response.status_code != 200:
        raise SystemExit(f"login as {username} failed: {response.status_code} {response.json}")
    return {"Authorization": f"Bearer {response.json['token']}"}


def token_headers(app: Any, user_id: int) -> dict[str, str]:
    """A bearer token for any user without the password check (argon2 costs ~50 ms a login)."""
    from api.auth import issue_token
    from engine.access.accounts import load_account
    from engine.people.logins import LoginResult

    with session_factory(app)() as session:
        account = load_account(session, user_id)
    with app.test_request_context():
        token = issue_token(LoginResult(account.actor, account.stamp, None))
    return {"Authorization": f"Bearer {token}"}


def server_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect():
            info = engine.dialect.server_version_info or ()
    finally:
        engine.dispose()
    return f"{engine.dialect.name} {'.'.join(str(p) for p in info)}".strip()


# --- the machine -----------------------------------------------------------------------------


def _command(*args: str) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    except OSError:
        return "?"
    return done.stdout.strip() or "?"


def memory_total() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "?"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def machine_lines(options: Options) -> list[str]:
    dirty = _command("git", "status", "--porcelain", "--untracked-files=no")
    commit = _command("git", "rev-parse", "--short", "HEAD")
    if dirty not in ("", "?"):
        commit += " + uncommitted changes in the working tree"
    return [
        f"date: {datetime.now().astimezone():%Y-%m-%d %H:%M %z}   size: {options.size}",
        f"machine: {os.cpu_count()} cores ({cpu_model()}), {memory_total()} RAM, "
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}; commit {commit}; "
        f"load average (1/5/15 min) {load_average()}",
    ]


def load_average() -> str:
    """Runnable processes averaged over 1, 5 and 15 minutes: above the core count, anything else
    running on the machine shares the CPU with the benchmark."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def section(title: str) -> None:
    line = f"\n=== {title} (load average {load_average()}) "
    print(line + "=" * max(0, 100 - len(line)), flush=True)


def say(line: str) -> None:
    print(line, flush=True)


def python() -> str:
    return sys.executable
