"""The shift handover dialog: pick a window, write HTML, PDF and CSV, with progress and Cancel.

The report is read on a worker thread (:func:`app.reports.build_handover`); the PDF is laid
out by Qt's QTextDocument and written by QPdfWriter on the GUI thread, with the map snapshot
the window hands in. Nothing is written unless the whole report was read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QDateTime, QMarginsF, QSizeF, Qt, QTimeZone, QUrl, Signal, Slot
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QPixmap, QTextDocument
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import LimesError
from app.incident_filter import HOUR_MS, shift_start
from app.reports import HandoverReport, ReportCancelled, build_handover, to_html, write_csv
from app.settings import data_dir
from app.store import Store

MAP_FILE = "map.png"


def render_pdf(html_text: str, path: Path, images: dict[str, QImage]) -> None:
    """``html_text`` as an A4 PDF, images referenced by name in it taken from ``images``."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(14, 14, 14, 14),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(110)
    writer.setTitle("Shift handover")
    writer.setCreator("Limes")
    document = QTextDocument()
    for name, image in images.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(html_text)
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(page.width(), page.height()))
    document.print_(writer)


class ReportDialog(QDialog):
    progressed = Signal(float, str)  # from the worker thread (queued)
    written = Signal(object)  # the folder, once HTML, PDF and CSV are written
    failed = Signal(str)
    _done = Signal(object)

    def __init__(
        self,
        store: Store,
        center: str,
        partners: Sequence[str],
        *,
        map_snapshot: Callable[[], QPixmap | QImage | None] = lambda: None,
        now_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Shift handover report")
        self._store, self._center, self._partners = store, center, list(partners)
        self._map_snapshot, self._now_ms = map_snapshot, now_ms
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="limes-report")
        self._cancel = threading.Event()
        self._folder: Path | None = None

        self.start = self._time_edit()
        self.end = self._time_edit()
        quick = QHBoxLayout()
        for label, window in (
            ("This shift", self._this_shift),
            ("Last shift", self._last_shift),
            ("Last 24 h", lambda: (self._now_ms() - 24 * HOUR_MS, self._now_ms())),
        ):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, window=window: self.set_window(*window()))
            quick.addWidget(button)
        self.folder = QLineEdit(str(data_dir() / "reports"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("From (UTC)", self.start)
        form.addRow("To (UTC)", self.end)
        form.addRow("", quick)
        form.addRow("Save in", where)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.status = QLabel(" ")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.status.setOpenExternalLinks(True)
        self.status.setWordWrap(True)
        self.generate_button = QPushButton("Generate")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.progressed.connect(self._on_progress)
        self._done.connect(self._on_done)
        self.set_window(*self._this_shift())
        self.resize(520, 260)

    def _time_edit(self) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setTimeZone(QTimeZone.utc())
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setCalendarPopup(True)
        return edit

    def _this_shift(self) -> tuple[int, int]:
        now = self._now_ms()
        return shift_start(now), now

    def _last_shift(self) -> tuple[int, int]:
        end = shift_start(self._now_ms())
        return shift_start(end - 1), end

    def set_window(self, start_ms: int, end_ms: int) -> None:
        utc = QTimeZone.utc()
        self.start.setDateTime(QDateTime.fromMSecsSinceEpoch(start_ms, utc))
        self.end.setDateTime(QDateTime.fromMSecsSinceEpoch(end_ms, utc))

    def window(self) -> tuple[int, int]:
        return self.start.dateTime().toMSecsSinceEpoch(), self.end.dateTime().toMSecsSinceEpoch()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save reports in", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    # -- generating -------------------------------------------------------------------------------

    @Slot()
    def generate(self) -> None:
        start, end = self.window()
        if end <= start:
            self._fail("The end of the window is not after its start.")
            return
        stamp = time.strftime("%Y%m%d-%H%M", time.gmtime(start / 1000))
        self._folder = Path(self.folder.text()) / f"handover-{self._center}-{stamp}Z"
        self._cancel.clear()
        self.generate_button.setEnabled(False)
        self.status.setText("Reading…")
        store, center, partners, now = self._store, self._center, self._partners, self._now_ms()

        def read() -> HandoverReport:
            with store.read() as connection:
                return build_handover(
                    connection,
                    center,
                    start,
                    end,
                    now,
                    partners=partners,
                    progress=lambda share, text: self.progressed.emit(share * 0.8, text),
                    cancelled=self._cancel.is_set,
                )

        future = self._executor.submit(read)
        future.add_done_callback(self._done.emit)

    def _on_progress(self, share: float, text: str) -> None:
        self.progress.setValue(round(share * 100))
        self.status.setText(text)

    def _on_cancel(self) -> None:
        if self.generate_button.isEnabled():
            self.reject()
        else:
            self._cancel.set()

    @Slot(object)
    def _on_done(self, future: Future) -> None:
        self.generate_button.setEnabled(True)
        try:
            report = future.result()
        except ReportCancelled:
            self.progress.setValue(0)
            self._fail("Cancelled; nothing was written.")
            return
        except LimesError as error:
            self._fail(str(error))
            return
        try:
            self._write(report)
        except OSError as error:
            self._fail(f"Could not write the report in {self._folder}: {error}")

    def _write(self, report: HandoverReport) -> None:
        folder = self._folder
        assert folder is not None
        folder.mkdir(parents=True, exist_ok=True)
        self._on_progress(0.85, "Writing CSV…")
        with open(folder / "incidents.csv", "w", newline="", encoding="utf-8") as out:
            write_csv(report, out)
        snapshot = self._map_snapshot()
        images: dict[str, QImage] = {}
        if snapshot is not None and not snapshot.isNull():
            image = snapshot.toImage() if isinstance(snapshot, QPixmap) else snapshot
            image.save(str(folder / MAP_FILE))
            images[MAP_FILE] = image
        html_text = to_html(report, map_image=MAP_FILE if images else None)
        (folder / "handover.html").write_text(html_text, encoding="utf-8")
        self._on_progress(0.9, "Writing PDF…")
        render_pdf(html_text, folder / "handover.pdf", images)
        self.progress.setValue(100)
        self.status.setText(
            f"Written: <a href='{QUrl.fromLocalFile(str(folder / 'handover.pdf')).toString()}'>"
            f"handover.pdf</a>, handover.html and incidents.csv ({len(report.incidents):,} "
            f"incidents) in {folder}"
        )
        self.written.emit(folder)

    def _fail(self, text: str) -> None:
        self.generate_button.setEnabled(True)
        self.status.setText(f"<span style='color:#c62828'>{text}</span>")
        self.failed.emit(text)

    def done(self, result: int) -> None:
        self._cancel.set()
        self._executor.shutdown(wait=False, cancel_futures=True)
        super().done(result)
