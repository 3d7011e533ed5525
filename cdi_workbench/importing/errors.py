"""What can stop an import, as exceptions whose message is fit to show the user."""

from __future__ import annotations


class ImportFailed(ValueError):
    """An import that cannot go ahead; nothing was written."""


class ImportFileError(ImportFailed):
    """The file cannot be read as a table (missing, empty, not text, not a workbook, broken quoting)."""


class MappingError(ImportFailed):
    """The columns of the file do not fit the kind of record (a required column is missing, named twice, ...)."""


class ProfileError(ImportFailed):
    """A mapping profile that cannot be found, read or saved."""


class ImportCancelled(Exception):
    """The import was cancelled; the database was left exactly as it was."""
