"""Kept so that `from cdi_workbench.cli_verdicts import register` goes on working: the commands are
cdi_workbench.cli.verdicts."""

from .cli.verdicts import cmd_export, cmd_import, register

__all__ = ["cmd_export", "cmd_import", "register"]
