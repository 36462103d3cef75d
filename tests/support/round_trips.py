"""Round trips to PostgreSQL, counted from libpq's own protocol trace: the figure the write path
is held to (the write-behind tests and bench/step_vs_raw.py)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import event


class RoundTrips:
    """Counts round trips to PostgreSQL: the server's ReadyForQuery messages (one per round trip,
    pipelined or not) in libpq's protocol trace of every connection checked out meanwhile."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.trace = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in close()
        self.traced: list[Any] = []
        self.engine.pool.dispose()  # new connections, each traced from its first message
        event.listen(self.engine, "checkout", self._trace)

    def _trace(self, dbapi_connection: Any, *_: Any) -> None:
        if dbapi_connection.pgconn not in self.traced:
            self.traced.append(dbapi_connection.pgconn)
            dbapi_connection.pgconn.trace(self.trace.fileno())

    def count(self) -> int:
        for pgconn in self.traced:  # libpq buffers its trace: untracing flushes it
            if pgconn.status == 0:  # CONNECTION_OK
                pgconn.untrace()
                pgconn.trace(self.trace.fileno())
        self.trace.flush()
        os.fsync(self.trace.fileno())
        with open(self.trace.fileno(), closefd=False, errors="replace") as reader:
            reader.seek(0)
            return reader.read().count("ReadyForQuery")

    def close(self) -> None:
        event.remove(self.engine, "checkout", self._trace)
        self.engine.pool.dispose()
        self.trace.close()
