"""Fit stage helper: what WeasyPrint says while it lays out a page, and how long it may take.

WeasyPrint reports what it could not do (an image it refused or could not read, CSS it did not
understand) as log warnings and carries on. A build collects them per document, shows each once,
and --strict fails on them: nothing is dropped from a page silently.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from makecase.errors import clean


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = clean(record.getMessage(), 300)
        except Exception:  # a message that cannot be formatted is still worth a line
            message = clean(str(record.msg), 300)
        if message not in self.messages:
            self.messages.append(message)


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings (deduplicated) while the block runs, instead of printing them."""
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    propagate = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False  # shown once, by us, not again by a root handler
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


_IGNORED = re.compile(r"^Ignored `(.+?)` at \d+:\d+")


def without_packaged(messages: list[str], packaged_css: str) -> list[str]:
    """Drop warnings about declarations the packaged stylesheets make on purpose (for browsers:
    WeasyPrint ignores them), so a person sees only what their own files caused."""
    keep = []
    for message in messages:
        match = _IGNORED.match(message)
        if match and match.group(1) in packaged_css:
            continue
        keep.append(message)
    return keep


class TimeLimit(BaseException):  # not Exception: WeasyPrint must not swallow it
    """Raised inside the block when its time is up."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (on the main thread, where signals arrive; elsewhere
    the block runs unbounded, as a worker has its own limits)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum, frame):
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, expire)
    deadline = time.monotonic() + seconds
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
    # The signal's exception can be lost: raised while Python runs a callback that swallows
    # exceptions (a garbage-collector callback, a __del__), the block goes on to the end. A
    # block that ran past its limit is over its limit all the same.
    if time.monotonic() > deadline:
        raise TimeLimit()
