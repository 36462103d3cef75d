"""CPU of the API per completed task, counted in instructions: a figure that holds still.

This machine's speed drifts by up to 2x within minutes, so milliseconds from different runs
cannot tell a 10 % change from noise. Instructions can: a child process (this file with
--child) builds the app, logs in as admin and walks both shipped procedures in turn (receipts
included, as in the throughput benchmark) through the WSGI app with a plain environ, as gunicorn
would call it; it runs under valgrind's callgrind with counting off, and switches it on
(`callgrind_control -i on`) only around the counted walk. The figure is the API process's own
user-space instructions per completed task: the database server's work and the kernel's are not
in it. Compare two commits with the same command (a `git worktree` of the old one).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any

import harness

WARMUP = 45
"""Completions walked before counting: caches filled, statements prepared (psycopg)."""


class Walker:
    """Receives dossiers and completes their tasks through `app(environ, start_response)`."""

    def __init__(self, url: str) -> None:
        sys.path.insert(0, str(harness.ROOT))
        import step_vs_raw

        self.cases = step_vs_raw.CASES
        self.receipt = {"unit": step_vs_raw.COMPETENT_UNIT, "applicant": step_vs_raw.APPLICANT}
        if harness.is_postgresql(url):
            harness.drop_everything(url)
        self.app = harness.build_app(url)
        self.authorization = harness.login(self.app.test_client())["Authorization"]

    def call(self, path: str, body: dict[str, Any], expected: int) -> Any:
        raw = json.dumps(body).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(raw)),
            "HTTP_AUTHORIZATION": self.authorization,
            "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(raw),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        statuses: list[str] = []
        answer = b"".join(self.app(environ, lambda status, *_: statuses.append(status)))
        if not statuses[0].startswith(str(expected)):
            raise SystemExit(f"instructions: {path} answered {statuses[0]}: {answer[:500]!r}")
        return json.loads(answer)

    def walk(self, completions: int) -> None:
        done = 0
        while done < completions:
            for case in self.cases:
                body = {"procedure_code": case.code, "channel": case.channel, **self.receipt}
                dossier = self.call("/api/v1/dossiers", body, 201)
                waiting = {task["element_id"]: task["id"] for task in dossier["tasks"]}
                for step in case.path:
                    url = f"/api/v1/tasks/{waiting.pop(step.element_id)}/complete"
                    answer = self.call(url, {"data": step.data}, 200)
                    waiting.update({t["element_id"]: t["id"] for t in answer["next_tasks"]})
                    done += 1


def child(url: str, completions: int) -> None:
    walker = Walker(url)
    walker.walk(WARMUP)
    switch = ["callgrind_control", "--instr"]
    subprocess.run([*switch, "on", str(os.getpid())], check=True, capture_output=True)
    walker.walk(completions)
    subprocess.run([*switch, "off", str(os.getpid())], check=True, capture_output=True)


def count(url: str, completions: int, scratch: str) -> float:
    """Instructions counted in the child, per completed task."""
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
    command += [f"--callgrind-out-file={scratch}/callgrind.%p", harness.python(), __file__]
    command += ["--child", "--database-url", url, "--completions", str(completions)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"instructions: the child failed:\n{done.stderr[-3000:]}")
    return int(found.group(1)) / completions


def run(options: harness.Options) -> list[harness.Result]:
    benchmark = "CPU of the API per completed task"
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        return [harness.skipped(benchmark, "-", "valgrind is not installed")]
    completions = options.pick(180, 900)
    harness.section(f"instructions: {completions} completions under callgrind (receipts included)")
    urls = [("sqlite", options.sqlite_url("instructions"))]
    if harness.reachable(options.database_url) is None:
        urls.append(("postgresql", options.database_url))
    results = []
    for name, url in urls:
        per_task = count(url, completions, str(options.scratch))
        harness.say(f"{name}: {per_task / 1e6:.2f} million instructions per completed task")
        results.append(
            harness.Result(
                f"CPU of the API per completed task ({name})",
                f"{per_task / 1e6:.2f} M instructions",
                "-",
                None,
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--completions", type=int, required=True)
    args = parser.parse_args()
    child(args.database_url, args.completions)


if __name__ == "__main__":
    main()
