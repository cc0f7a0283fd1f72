"""Errors that users see: each one says what is wrong and where."""

from __future__ import annotations


class LimesError(Exception):
    """Base of every error Limes reports to a person instead of a traceback."""


class ValidationError(LimesError, ValueError):
    """A value was rejected. ``field`` names the field, ``where`` the place (a row, a file)."""

    def __init__(self, field: str, message: str, where: str | None = None) -> None:
        self.field = field
        self.message = message
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
