"""Small, rarely changed tables (units, webhook subscribers) kept in memory for a few seconds,
per process and per database, so the write path does not read them on every command."""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from time import monotonic
from typing import Generic
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

T = TypeVar("T")


class TableCache(Generic[T]):
    """`load(session)` at most once per `ttl` seconds per database engine.

    Keyed by engine, so two apps (tests, benchmarks) on two databases in one process never share
    an entry. A change made through this process calls `forget` after its commit; a change made
    by another process is seen within `ttl`.
    """

    def __init__(self, load: Callable[[Session], T], ttl: float) -> None:
        self._load = load
        self._ttl = ttl
        self._entries: WeakKeyDictionary[Engine, tuple[float, T]] = WeakKeyDictionary()
        self._lock = Lock()

    def get(self, session: Session, *, reload: bool = False) -> T:
        """The cached value, read again when it is older than `ttl` or `reload` asks."""
        engine = session.get_bind().engine
        now = monotonic()
        with self._lock:
            entry = self._entries.get(engine)
        if entry is not None and entry[0] > now and not reload:
            return entry[1]
        value = self._load(session)
        with self._lock:
            self._entries[engine] = (now + self._ttl, value)
        return value

    def forget(self, session: Session) -> None:
        with self._lock:
            self._entries.pop(session.get_bind().engine, None)
