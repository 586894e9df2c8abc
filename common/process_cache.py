"""Objects kept in this process: the most recently used, shared by its threads.

For what is costly to build on every request and never changes under its key:
published pages with their lessons parsed (``content_cms.published``, keyed by
the shared cache's generation), a quiz's pinned version (``quizzes.selectors``,
keyed by its content digest). Callers only read what they get: the process's
threads share it. A bounded least-recently-used cache (cachetools) behind a lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache

_every: weakref.WeakSet[ProcessCache] = weakref.WeakSet()


class ProcessCache:
    """At most ``maxsize`` objects, by key; None is never kept."""

    def __init__(self, maxsize: int):
        self._entries: LRUCache = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()
        _every.add(self)

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            value = self._entries.get(key)
        if value is None:
            # Built outside the lock: two threads may build the same object
            # once each; both are right, the second is kept.
            value = build()
            if value is not None:
                with self._lock:
                    self._entries[key] = value
        return value

    def resize(self, maxsize: int) -> None:
        with self._lock:
            self._entries = LRUCache(maxsize=maxsize)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def process_caches_clear() -> None:
    """Empty every process cache (tests: another test may reuse the same ids)."""
    for process_cache in list(_every):
        process_cache.clear()
