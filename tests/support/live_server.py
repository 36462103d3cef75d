"""The real server as a subprocess: gunicorn with sync workers on a free loopback port.

Shared by the throughput benchmark (bench/throughput.py) and the soak and crash tests
(tests/soak/), so it lives with the tests (bench/ imports tests/support, never the reverse): both
need the server users run, not the Flask test client. Gunicorn starts in a session of its own, so
`kill()` can SIGKILL the master and every worker at once, as a crash would.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_PATH = "/api/v1/openapi.json"


class ServerFailed(RuntimeError):
    """Gunicorn exited or did not answer in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (gunicorn's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running, or at least not yet a zombie (in a container nobody may reap orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Gunicorn:
    """`start()` launches `wsgi:app` with `env` added to this process's environment and waits
    until it answers and every worker is up; `kill()` crashes it, `stop()` shuts it down."""

    def __init__(self, *, port: int, env: Mapping[str, str], log: Path, workers: int = 2) -> None:
        self.port = port
        self.env = {**os.environ, **env}
        self.log = log
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server was not started"
        return self.process.pid

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def start(self, *, timeout: float = 90.0) -> float:
        """Launch and wait until ready; returns the seconds that took."""
        started = time.monotonic()
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "--workers", str(self.workers), "--log-level", "warning"]
        command += ["--bind", f"127.0.0.1:{self.port}", "wsgi:app"]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
                command, cwd=ROOT, env=self.env, stdout=sink, stderr=sink, start_new_session=True
            )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise ServerFailed(f"gunicorn exited: {self.log_tail()}")
            if self.answers() and len(self.worker_pids()) >= self.workers:
                return time.monotonic() - started
            time.sleep(0.1)
        self.stop()
        raise ServerFailed(f"gunicorn did not answer within {timeout:.0f} s: {self.log_tail()}")

    def answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", READY_PATH)
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def kill(self) -> None:
        """SIGKILL the master and all its workers together: nothing gets to clean up. Returns
        once every one of them is gone."""
        assert self.process is not None
        workers = self.worker_pids()
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers):
            if time.monotonic() > deadline:
                raise ServerFailed(f"workers {workers} outlived SIGKILL")
            time.sleep(0.02)

    def stop(self) -> None:
        """A normal shutdown (SIGTERM to the master, which stops its workers)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, chars: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-chars:]
