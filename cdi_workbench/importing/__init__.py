"""Importing force extracts (CSV and .xlsx) into an audit database: profiles, checks, set-wise upserts, links.

The GUI's import dialog and the `cdi import` command call the same plain functions:
list_profiles / load_profile / save_profile, preview_file (headers, proposed mapping, first rows), check_file
(every problem, nothing written) and import_file (one transaction; progress and cancel callables).
See docs/import.md for the canonical columns, the profiles and what happens to odd rows.
"""

from .errors import ImportCancelled, ImportFailed, ImportFileError, MappingError, ProfileError
from .importer import check_file, import_file
from .kinds import KINDS
from .preview import FilePreview, PreviewRow, preview_file
from .profiles import (
    MappingProposal,
    Profile,
    ProfileInfo,
    list_profiles,
    load_profile,
    propose_mapping,
    save_profile,
    suggest_profiles,
)
from .result import AuditedChange, ImportResult, Problem

__all__ = [
    "KINDS", "AuditedChange", "FilePreview", "ImportCancelled", "ImportFailed", "ImportFileError", "ImportResult",
    "MappingError", "MappingProposal", "PreviewRow", "Problem", "Profile", "ProfileError", "ProfileInfo",
    "check_file", "import_file", "list_profiles", "load_profile", "preview_file", "propose_mapping", "save_profile",
    "suggest_profiles",
]
