"""Errors that users see: each one says what is wrong and where."""

from __future__ import annotations

MESSAGE_HEAD = 300  # characters of a long message kept before the cut
MESSAGE_TAIL = 150  # and after it: the reason usually comes last


def shortened(text: str) -> str:
    """``text``, or its head and tail around a note of what was left out when it is long.

    Messages quote what was wrong; a 50 MB cell or a pasted file must not become a 50 MB
    message in a label, a log line or a terminal.
    """
    if len(text) <= MESSAGE_HEAD + MESSAGE_TAIL + 40:
        return text
    left_out = len(text) - MESSAGE_HEAD - MESSAGE_TAIL
    return f"{text[:MESSAGE_HEAD]}…[{left_out:,} characters left out]…{text[-MESSAGE_TAIL:]}"


class LimesError(Exception):
    """Base of every error Limes reports to a person instead of a traceback."""

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (shortened(args[0]), *args[1:])
        super().__init__(*args)


class ValidationError(LimesError, ValueError):
    """A value was rejected. ``field`` names the field, ``where`` the place (a row, a file)."""

    def __init__(self, field: str, message: str, where: str | None = None) -> None:
        self.field = field
        self.message = shortened(message)
        self.where = where
        super().__init__(self._text())

    def _text(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.field}: {self.message}"

    def at(self, where: str) -> ValidationError:
        """The same error, located (for example ``row 17``)."""
        return ValidationError(self.field, self.message, where)


class ConfigError(LimesError):
    """A settings file or environment variable is wrong; the text names file, key and problem."""


class DatabaseTooNewError(LimesError):
    """The database was written by a newer Limes; opening it could damage it."""


class ImportFailedError(LimesError):
    """An import was refused; nothing of it was written."""
