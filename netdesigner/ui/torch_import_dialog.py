"""File › Import PyTorch module…: a hand-written ``nn.Module`` class becomes a project.

This is the one place NetDesigner runs a person's file as code (importing it is running it),
so the dialog says so, naming the file, and runs nothing until the person agrees. Until then
the file is only read as text: the classes it offers are found with ``ast``, never by import.
"""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from netdesigner.ui import theme


def module_classes(path: Path) -> list[str]:
    """The classes defined at the top of ``path`` that derive from something called Module (read
    as text; a file that does not parse offers none)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(b) for b in node.bases]
            if any(b.split(".")[-1] == "Module" for b in bases):
                found.append(node.name)
    return found


def parse_shapes(text: str) -> list[tuple[int, ...]]:
    """'1,28,28; 10' → [(1, 28, 28), (10,)]; ``ValueError`` with the words to show."""
    shapes = []
    for part in text.split(";"):
        try:
            shape = tuple(int(d) for d in part.split(",") if d.strip())
        except ValueError:
            raise ValueError(f"{part.strip()!r} is not sizes separated by commas, e.g. 1,28,28") from None
        if not shape or any(d <= 0 for d in shape):
            raise ValueError(f"{part.strip()!r}: every size must be a whole number above 0")
        shapes.append(shape)
    return shapes


class TorchImportDialog(QDialog):
    """Asks which class and which input shape, warning that the file will run."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle("Import PyTorch module")
        self.classes = QComboBox()
        self.classes.setEditable(True)
        self.classes.addItems(module_classes(self.path))
        self.shapes = QLineEdit("1,28,28")
        self.shapes.setToolTip("The shape of one sample, without the batch; several inputs separated by ';'")
        self.warning = warning = QLabel(f"<b>This runs {self.path.name} as Python code</b>, with your permissions, as "
                         f"<tt>python {self.path.name}</tt> would. Import only code you trust.<br>"
                         f"<span style='color:{theme.colours().muted_text.name()}'>{self.path}</span>")
        warning.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {theme.ERROR.name()}")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.run_button = self.buttons.addButton("Run it and import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(warning)
        form.addRow("Module class:", self.classes)
        form.addRow("Input shape:", self.shapes)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.resize(480, self.sizeHint().height())

    def spec(self) -> str:
        return f"{self.path}:{self.classes.currentText().strip()}"

    def input_shapes(self) -> list[tuple[int, ...]]:
        return parse_shapes(self.shapes.text())

    def _check(self) -> None:
        if not self.classes.currentText().strip().isidentifier():
            self.problem.setText("Name the nn.Module class to build (it is built without arguments).")
            return
        try:
            self.input_shapes()
        except ValueError as e:
            self.problem.setText(str(e))
            return
        self.accept()


def import_torch_module(window, path: str | Path | None = None) -> bool:
    """The File menu's action: choose a .py file, say that it will run, then import it as a
    new unsaved project; a failure is one message and the open document stays."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from netdesigner.core.project import Project
    from netdesigner.importer.onnx_import import ImportFailed
    from netdesigner.importer.torch_import import import_class

    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Import PyTorch module", "", "Python files (*.py)")
        if not path:
            return False
    dialog = TorchImportDialog(Path(path), window)
    if not dialog.exec() or not window.may_discard():
        return False
    try:
        imported = import_class(dialog.spec(), dialog.input_shapes())
    except ImportFailed as e:
        QMessageBox.warning(window, "Cannot import", str(e))
        return False
    project = Project(imported.graph, name=imported.name, description=f"Imported from {dialog.spec()}.",
                      weights=imported.weights)
    window.show_imported(project, Path(path).name, imported.notes)
    return True
