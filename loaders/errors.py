"""The errors a loader or the ingest path reports to a user (re-exported by :mod:`loaders.base`)."""

from __future__ import annotations


class LoaderError(Exception):
    """Base class of every error a loader or the ingest path reports to a user."""


class Refused(LoaderError):
    """The whole file cannot be loaded; ``str(err)`` is the message shown to the user."""


class NeedsMapping(Refused):
    """The loader found a table but cannot be sure which column plays which role (or which
    header row, sheet or layout applies): the user must say. ``str(err)`` names the columns found
    and the ``--map ROLE=COLUMN`` options that would load the file.

    ``roles`` are the role names the loader understands (e.g. ``project_id``, ``period``,
    ``budget``); ``suggested`` maps role -> column for what it could guess; ``shape`` identifies
    the workbook's layout (sheet + header cells) so that a mapping saved for it is reused next
    time; ``preview`` holds the first rows as read (header included) for a mapping form.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        shape: str,
        columns: list[str],
        roles: tuple[str, ...],
        suggested: dict[str, str] | None = None,
        sheets: list[str] | None = None,
        sheet: str | None = None,
        header_row: int | None = None,
        preview: list[list[str]] | None = None,
    ):
        super().__init__(message)
        self.source = source
        self.shape = shape
        self.columns = columns
        self.roles = roles
        self.suggested = suggested or {}
        self.sheets = sheets or []
        self.sheet = sheet
        self.header_row = header_row
        self.preview = preview or []
