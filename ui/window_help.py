"""The Help menu: the recording rules (the one behind the answer in focus first) and the keyboard shortcuts, each in
a scrollable window kept on the main window as `help_dialog`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from cdi_workbench.rules import RULE_TEXT

from .state import AuditState
from .verdict_panel import VerdictPanel
from .widgets import named

if TYPE_CHECKING:
    from .main_window import MainWindow

SHORTCUTS = [
    ("Ctrl+N", "Add a crime identified"),
    ("Ctrl+0", "Zero status: no crime in this record (completes it and moves on)"),
    ("Ctrl+Enter", "Done: complete the verdict and move to the next record"),
    ("Ctrl+PgDown / Ctrl+PgUp", "Next / previous record (also Alt+Down / Alt+Up outside lists)"),
    ("Enter", "Next answer that applies; after the last, the rationale, then Done"),
    ("Tab / Shift+Tab", "Move between answers; type Y or N to answer a yes/no check, a number to pick a reason"),
    ("Delete", "Remove the selected crime (in the list of crimes identified)"),
    ("F5", "Reload the record open, with what others have saved (the window also looks every 15 seconds)"),
    ("Alt+underlined letter", "Jump to that answer"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo the last verdict change"),
    ("Ctrl+F", "Search the queue by reference or text"),
    ("Ctrl+G", "Flag the record for a second opinion, with a note"),
    ("F1", "The recording rules these checks rely on"),
    ("Ctrl+H", "The history of this record's verdicts (who, when, what, why)"),
    ("Ctrl+E", "Export the findings (Excel, PDF, JSON)"),
    ("Ctrl+O", "Open another audit database"),
    ("Ctrl+Shift+D", "Draw a sample"),
    ("Ctrl+Shift+A", "Switch to another audit of the programme"),
    ("Ctrl+Shift+L", "The local configuration: the force's sub-codes, disposal types and extra checks"),
    ("Ctrl+I", "Import a force extract (CSV or Excel)"),
    ("Ctrl+/", "This list"),
]


class Help:
    """Help > Recording rules (F1) and Keyboard shortcuts (Ctrl+/)."""

    def __init__(self, window: MainWindow, state: AuditState, panel: VerdictPanel) -> None:
        self.window, self.state, self.panel = window, state, panel

    def show_rules(self) -> None:
        """The rule behind the answer in focus first, then the rest."""
        keys = self.panel.rule_keys(QApplication.focusWidget())  # the record's own rules first (issue 11)
        text = "".join(f"<p><b>{k.replace('_', ' ').capitalize()}</b>: {RULE_TEXT[k][0]}<br>"
                       f"<i>Source: {RULE_TEXT[k][1]}</i></p>" for k in keys[:1])
        text += "<hr>" + "".join(f"<p><b>{k.replace('_', ' ').capitalize()}</b>: {RULE_TEXT[k][0]} "
                                 f"<i>({RULE_TEXT[k][1]})</i></p>" for k in keys[1:])
        info = self.state.info
        if self.state.svc is not None and info is not None:
            text = f"<p><b>Rule set:</b> {info.rules.title}. {info.rules.source}.</p>" + text
        self._text_dialog("Recording rules", text)

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        self._text_dialog("Keyboard shortcuts", f"<table cellpadding=4>{rows}</table>")

    def _text_dialog(self, title: str, html: str) -> None:
        """Help text in a scrollable, resizable window that fits a laptop screen."""
        dialog = QDialog(self.window)
        dialog.setWindowTitle(title)
        lay = QVBoxLayout(dialog)
        browser = named(QTextBrowser(), "help_text")
        browser.setHtml(html)
        lay.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        lay.addWidget(buttons)
        dialog.resize(620, 480)
        dialog.open()
        self.window.help_dialog = dialog
