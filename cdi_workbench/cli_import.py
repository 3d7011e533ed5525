"""Kept so that `from cdi_workbench.cli_import import register` goes on working: the command is
cdi_workbench.cli.imports."""

from .cli.imports import SHOWN_PROBLEMS, cmd_import, register

__all__ = ["SHOWN_PROBLEMS", "cmd_import", "register"]
