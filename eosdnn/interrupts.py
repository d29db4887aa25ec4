"""Ctrl-C and SIGTERM for the command line: both stop a command the same way (best so far saved,
one line), with exit code 130 for SIGINT and 143 for SIGTERM.

A signal raises KeyboardInterrupt, and is also remembered: an interrupt raised where some library
swallows it (llvmlite ignores exceptions in its compile callbacks) is raised again at the next
`check()`, which the searches call every iteration. While results are being saved, a further
signal is remembered but does not break the write."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

import attrs

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@attrs.define
class StopRequests:
    """The signals this process has received, and whether they may interrupt right now."""

    received: int | None = None
    deferring: bool = False
    _previous: dict[int, object] = attrs.field(factory=dict, repr=False)

    def install(self) -> None:
        for number in SIGNALS:
            if signal.getsignal(number) is not signal.SIG_IGN:  # a shell's `nohup` or `&` stays in force
                self._previous[number] = signal.signal(number, self._handle)

    def uninstall(self) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
        self._previous.clear()

    def _handle(self, number: int, _frame: FrameType | None) -> None:
        if self.received is None:
            self.received = number
        if not self.deferring:
            raise KeyboardInterrupt

    def check(self) -> None:
        """Raise KeyboardInterrupt if a signal came in (and was perhaps swallowed)."""
        if self.received is not None and not self.deferring:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Signals during the block are remembered, not raised (saving must finish)."""
        before, self.deferring = self.deferring, True
        try:
            yield
        finally:
            self.deferring = before

    @property
    def exit_code(self) -> int:
        """128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM)."""
        return 128 + (self.received or signal.SIGINT)

    @property
    def name(self) -> str:
        return "terminated (SIGTERM)" if self.received == signal.SIGTERM else "interrupted"
