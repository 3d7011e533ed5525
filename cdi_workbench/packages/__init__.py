"""Offline audit packages: part of a sample exported as a small audit database of its own (a .cdipkg file),
worked on with the normal workbench on another machine, and merged back verdict by verdict (docs/packages.md).
"""

from __future__ import annotations

from ..audit.checks import CheckDiff, answers, differences
from .common import MARKING, SUFFIX, PackageError, format_positions, parse_positions
from .export import ExportResult, default_path, export_package
from .merge import (
    CONFLICT,
    KEPT,
    RESOLUTIONS,
    SAME,
    TAKE,
    UNCHANGED,
    ItemMerge,
    MergePlan,
    MergeResult,
    Side,
    apply_merge,
    merge_package,
    plan_import,
)

__all__ = [
    "CONFLICT", "KEPT", "MARKING", "RESOLUTIONS", "SAME", "SUFFIX", "TAKE", "UNCHANGED", "CheckDiff", "ExportResult",
    "ItemMerge", "MergePlan", "MergeResult", "PackageError", "Side", "answers", "apply_merge", "default_path",
    "differences", "export_package", "format_positions", "merge_package", "parse_positions", "plan_import",
]
