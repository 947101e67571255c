"""Repeated log lines once per interval, with a count: an outage logs a few lines, not thousands a second.

Two warnings or errors repeat each other when they come from the same logger at the same level with the
same message template (``record.msg``; the arguments may differ, e.g. an address). Info lines all pass.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

INTERVAL = 10.0  # seconds


class RepeatFilter(logging.Filter):
    """Let one of each repeated record through per ``interval``; the next one shown counts those held."""

    def __init__(self, interval: float = INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}  # key -> (last shown, held since)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        shown_at, held = self._seen.get(key, (-self.interval, 0))
        if now - shown_at < self.interval:
            self._seen[key] = (shown_at, held + 1)
            return False
        if held:
            record.msg = f"{record.msg} [repeated {held} more times in the last {now - shown_at:.0f} s]"
        self._seen[key] = (now, 0)
        if len(self._seen) > 10_000:  # templates are few; bound the memory anyway
            self._seen.clear()
        return True


def install(interval: float = INTERVAL) -> None:
    """Filter repeats on every handler of the root logger (once; handlers added later are not covered)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RepeatFilter) for f in handler.filters):
            handler.addFilter(RepeatFilter(interval))
