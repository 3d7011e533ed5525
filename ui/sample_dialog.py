"""Drawing a sample: the population per stratum (with filters), the method, the size calculator, the draw."""

from __future__ import annotations

import random
from datetime import date, datetime
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.classification import CANCELLATION_GROUPS, GROUP_LABELS
from cdi_workbench.kinds import RecordKind
from cdi_workbench.sampling import Filters, SampleOps, required_size
from cdi_workbench.special_samples import SPECIAL_SAMPLES

from .operations import Runner
from .widgets import named

KINDS = [("Incident records", "incident"), ("Referrals", "referral"), ("Out-of-court disposals", "disposal"),
         ("Cancelled crimes", "cancellation"), ("N100 records", "n100"), ("Crime records", "crime")]
METHODS = [("Simple random", "simple"), ("Stratified by offence group, proportional", "proportional"),
           ("Stratified by offence group, equal", "equal"), ("Fixed size from each stratum (dip-sample)", "fixed")]


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy, also d/m/yy and yyyy-mm-dd as people type them."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"'{text}' is not a date: use dd/mm/yyyy")


class SampleDialog(QDialog):
    drawn = Signal(int)  # the new sample's id

    def __init__(self, ops: SampleOps, runner: Runner, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draw a sample")
        self.ops, self.runner, self.who = ops, runner, who
        self.counts: dict[str, int] = {}
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = named(QComboBox(), "kind")
        for label, key in KINDS:
            self.kind.addItem(label, key)
        self.system = named(QComboBox(), "system")
        self.special = named(QComboBox(), "special")
        self.special.setAccessibleName("Special sample")
        self.special.addItem("None: a main sample (counted in the recording rates)", None)
        for sp in SPECIAL_SAMPLES.values():
            self.special.addItem(f"{sp.label} (usually {sp.requested} requested)", sp.key)
        self.special.setToolTip("A special sample (from the list the force sends) is reported in a table of its "
                                "own and kept out of the main tables and the recording rates. Incident records "
                                "and referrals only.")
        form.addRow("&Records:", self.kind)
        form.addRow("S&ystem:", self.system)
        form.addRow("S&pecial sample:", self.special)
        filt = QGroupBox("Filters (optional)")
        ff = QFormLayout(filt)
        self.opening = named(QLineEdit(), "opening_code")
        self.closing = named(QLineEdit(), "closing_code")
        self.ho_code = named(QLineEdit(placeholderText="e.g. 8N"), "ho_code")
        self.date_from = named(QLineEdit(placeholderText="dd/mm/yyyy"), "date_from")
        self.date_to = named(QLineEdit(placeholderText="dd/mm/yyyy"), "date_to")
        for text, w in (("&Opening code:", self.opening), ("&Closing code:", self.closing),
                        ("Home Office co&de:", self.ho_code)):
            buddy_label = QLabel(text)
            buddy_label.setBuddy(w)
            ff.addRow(buddy_label, w)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        between = QLabel("&Between:")
        between.setBuddy(self.date_from)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.date_to)
        ff.addRow(between, dates)
        lay.addLayout(form)
        lay.addWidget(filt)
        self.table = named(QTableWidget(0, 2), "population")
        self.table.setHorizontalHeaderLabels(["Stratum", "Records"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab moves on to the method, size and Draw
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.total = named(QLabel(), "population_total")
        lay.addWidget(QLabel("<b>Population</b>"))
        lay.addWidget(self.table)
        lay.addWidget(self.total)

        how = QFormLayout()
        self.method = named(QComboBox(), "method")
        for label, key in METHODS:
            self.method.addItem(label, key)
        self.size_box = named(QSpinBox(maximum=10_000_000, value=100), "size")
        self.seed = named(QSpinBox(maximum=2_147_483_647, value=random.SystemRandom().randrange(1, 10**9)), "seed")
        self.name = named(QLineEdit(), "name")
        how.addRow("&Method:", self.method)
        how.addRow("Si&ze (per stratum for a dip-sample):", self.size_box)
        how.addRow("S&eed (recorded; the same seed draws the same sample):", self.seed)
        how.addRow("&Name:", self.name)
        calc = QHBoxLayout()
        self.margin = named(QDoubleSpinBox(minimum=0.5, maximum=20, value=3.0, suffix=" %"), "margin")
        self.rate = named(QDoubleSpinBox(minimum=1, maximum=99, value=85.0, suffix=" %"), "rate")
        suggest = QPushButton("Su&ggest size")
        calc.addWidget(QLabel("Margin ±"))
        calc.addWidget(self.margin)
        calc.addWidget(QLabel("expected rate"))
        calc.addWidget(self.rate)
        calc.addWidget(suggest)
        how.addRow("Calculator (95%):", calc)
        lay.addLayout(how)
        self.message = named(QLabel(wordWrap=True), "message")
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.draw_button = buttons.addButton("&Draw", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.draw)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(620, 720)

        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.special.activated.connect(self._special_chosen)
        self.system.currentIndexChanged.connect(lambda _i: self._timer.start())
        for w in (self.opening, self.closing, self.ho_code, self.date_from, self.date_to):
            w.textChanged.connect(lambda _t: self._timer.start())
        suggest.clicked.connect(self.suggest)
        self.runner.run(ops.systems, self._systems_loaded)

    def _systems_loaded(self, systems: list[str]) -> None:
        self.system.blockSignals(True)
        self.system.clear()
        for s in systems:
            self.system.addItem(s, s)
        self.system.blockSignals(False)
        self._kind_changed()

    def _kind_changed(self) -> None:
        referral = self.kind.currentData() == RecordKind.REFERRAL
        self.system.setEnabled(referral)
        reports = self.kind.currentData() in RecordKind.REPORTS
        self.special.setEnabled(reports)  # special samples are of incident records or referrals only
        if not reports:
            self.special.setCurrentIndex(0)
        for w in (self.opening, self.closing):  # an incident's or referral's codes
            w.setEnabled(reports)
        # the code a linked crime was recorded under, or a crime record's own
        self.ho_code.setEnabled(reports or self.kind.currentData() == RecordKind.CRIME)
        label = self.kind.currentText() if not referral else f"{self.system.currentText()} referrals"
        sp = SPECIAL_SAMPLES.get(self.special.currentData() or "")
        self.name.setText(f"{sp.label if sp else label} {datetime.now():%d/%m/%Y %H:%M}")
        self._timer.start()

    def _special_chosen(self, _index: int = 0) -> None:
        """A special sample: its usual size and its name (both may be changed before drawing)."""
        sp = SPECIAL_SAMPLES.get(self.special.currentData() or "")
        if sp is not None:
            self.size_box.setValue(sp.requested)
            self.method.setCurrentIndex(self.method.findData("simple"))
        self._kind_changed()

    def filters(self) -> Filters:
        return Filters(self.opening.text().strip(), self.closing.text().strip(), self.ho_code.text().strip(),
                       parse_date(self.date_from.text()), parse_date(self.date_to.text()))

    def refresh(self) -> None:
        try:
            f = self.filters()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        kind = self.kind.currentData()
        system = self.system.currentData() if kind == RecordKind.REFERRAL else None
        self.runner.run(partial(self.ops.counts, kind, system, f), self._show_counts,
                        lambda msg: self.message.setText(msg))

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.table.setRowCount(len(counts))
        labels = CANCELLATION_GROUPS if self.kind.currentData() == RecordKind.CANCELLATION else GROUP_LABELS
        for row, (stratum, n) in enumerate(counts.items()):
            self.table.setItem(row, 0, QTableWidgetItem(labels.get(stratum, stratum[:1].upper() + stratum[1:])))
            item = QTableWidgetItem(f"{n:,}")
            self.table.setItem(row, 1, item)
        self.total.setText(f"{sum(counts.values()):,} records in all")
        self.message.setText("")

    def suggest(self) -> None:
        if self.method.currentData() == "fixed":  # size is per stratum: enough for the smallest margin in each
            n = max((required_size(self.margin.value() / 100, self.rate.value() / 100, c)
                     for c in self.counts.values() if c), default=0)
            self.size_box.setValue(n)
            self.message.setText(f"{n} records from each stratum give ± {self.margin.value():g} percent at 95% "
                                 "confidence within every stratum (finite population correction per stratum).")
            return
        pop = sum(self.counts.values()) or None
        n = required_size(self.margin.value() / 100, self.rate.value() / 100, pop)
        self.size_box.setValue(n)
        crime_free = self.counts.get("no crime linked", 0)
        caveat = ""
        if self.kind.currentData() in RecordKind.REPORTS:
            caveat = (" The rate is counted per crime identified, and a record may hold none: "
                      + (f"{crime_free:,} of these records have no crime linked. " if crime_free else "")
                      + "Aim for this many crimes, and extend the sample if too many records turn out to hold "
                        "none (Sample > Extend this sample…).")
        unit = "crimes identified" if caveat else "records"
        self.message.setText(f"{n} {unit} give ± {self.margin.value():g} percent at 95% confidence if about "
                             f"{self.rate.value():g} percent of crimes are recorded"
                             + (f" (finite population correction for {pop:,})." if pop else ".") + caveat)

    def draw(self) -> None:
        try:
            f = self.filters()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        if not self.name.text().strip():
            self.message.setText("Name the sample.")
            return
        kind, method = self.kind.currentData(), self.method.currentData()
        options: dict[str, object] = {"system": self.system.currentData() if kind == RecordKind.REFERRAL else None,
                                      "filters": f, "who": self.who}
        if kind in RecordKind.REPORTS and self.special.currentData():
            options["special"] = self.special.currentData()
        size = self.size_box.value()
        if method in ("proportional", "equal"):
            options.update(stratify=True, allocation=method)
        elif method == "fixed":
            options.update(per_stratum=size)
        self.draw_button.setEnabled(False)
        self.message.setText("Drawing…")
        name, seed = self.name.text().strip(), self.seed.value()
        self.runner.run(partial(self.ops.draw, name, kind, size, seed, **options), self._drawn, self._failed)

    def _drawn(self, sample_id: int) -> None:
        self.drawn.emit(sample_id)
        self.accept()

    def _failed(self, message: str) -> None:
        self.draw_button.setEnabled(True)
        self.message.setText(f"Not drawn: {message}")
