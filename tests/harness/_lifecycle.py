"""The context-manager half shared by the harness's local servers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self


class StartStop:
    """Run `start` on entering a ``with`` block and `stop` on leaving it."""

    def start(self) -> None:
        """Start serving; subclasses implement it."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop serving; subclasses implement it."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        """Start and return the server."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()
