"""The row of variant columns across the top: each a named prompt with its provider, model, parameters and editors.

`VariantColumns` watches the EditorState and turns every edit into a new Experiment given to `state.edit()`, named
for the Edit menu's Undo ("Remove variant 'B'"), with the keystrokes of one field joined into one undo step;
a `VariantColumn` only shows one Variant and says when the user changed it. The list of a provider's models
comes from the window (which asks the provider's /models off the GUI thread) through `set_models`.

Signals of VariantColumn:
    edited(Variant): the user changed something in this column.
    duplicate_clicked(), remove_clicked(), move_clicked(int): -1 left, +1 right.
Signals of VariantColumns:
    models_wanted(str): the models of this provider profile are not known yet; the window should ask for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from promptbench.core.experiment import Message, Variant
from promptbench.core.figures import latency, money
from promptbench.core.summary import VariantSummary
from promptbench.ui.editor.state import EXPERIMENT, EditorState
from promptbench.ui.editor.template_highlighter import TemplateHighlighter, VariableTooltips

COLUMN_WIDTH = 340


def with_prompts(variant: Variant, system: str, user: str) -> Variant:
    """The variant with its (first) system message and its last user message replaced; example turns kept."""
    messages = list(variant.messages)
    system_at = next((i for i, m in enumerate(messages) if m.role == "system"), None)
    if system_at is not None:
        if system.strip():
            messages[system_at] = Message("system", system)
        else:
            del messages[system_at]
    elif system.strip():
        messages.insert(0, Message("system", system))
    user_at = next((i for i in range(len(messages) - 1, -1, -1) if messages[i].role == "user"), None)
    if user_at is not None:
        messages[user_at] = Message("user", user)
    else:
        messages.append(Message("user", user))
    return replace(variant, messages=tuple(messages))


def prompts_of(variant: Variant) -> tuple[str, str, int]:
    """(system text, last user text, how many other messages): what the two editors show."""
    system = next((m.content for m in variant.messages if m.role == "system"), "")
    user = next((m.content for m in reversed(variant.messages) if m.role == "user"), "")
    shown = int(bool(system)) + int(any(m.role == "user" for m in variant.messages))
    return system, user, len(variant.messages) - shown


def describe_summary(summary: VariantSummary | None) -> str:
    if summary is None or summary.calls == 0:
        return "Not run yet."
    parts = []
    if summary.pass_rate is not None:
        parts.append(f"pass {summary.passed}/{summary.graded} ({summary.pass_rate:.0%})")
    if summary.mean_score is not None:
        parts.append(f"score {summary.mean_score:.2f}")
    if summary.errors:
        parts.append(f"{summary.errors} errors")
    if summary.median_latency_ms is not None:
        parts.append(f"median {latency(summary.median_latency_ms)}")
    parts.append(f"{summary.prompt_tokens + summary.completion_tokens:,} tokens")
    parts.append(money(summary.cost))
    return " · ".join(parts)


def _prompt_editor(placeholder: str) -> tuple[QPlainTextEdit, TemplateHighlighter]:
    editor = QPlainTextEdit()
    editor.setPlaceholderText(placeholder)
    editor.setTabChangesFocus(True)
    highlighter = TemplateHighlighter(editor.document())
    VariableTooltips(editor, highlighter)
    return editor, highlighter


class VariantColumn(QFrame):
    """One variant: name, provider, model, temperature, max tokens, JSON mode, system and user prompts."""

    edited = Signal(object)
    duplicate_clicked = Signal()
    remove_clicked = Signal()
    move_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Wide enough for the pickers; more columns than fit scroll sideways in VariantColumns.
        self.setMinimumWidth(COLUMN_WIDTH)
        self._variant: Variant | None = None
        self._updating = False
        self.name = QLineEdit(placeholderText="Variant name")
        bold = self.name.font()
        bold.setBold(True)
        self.name.setFont(bold)  # a font, not a style sheet: a style sheet would keep the old theme's colours
        self.provider = QComboBox()
        self.provider.setToolTip("Where the calls go: a provider profile (Settings > Providers)")
        self.model = QComboBox(editable=True)
        self.model.setToolTip("The model; pick one the provider lists or type its name")
        self.temperature = QDoubleSpinBox(minimum=-0.1, maximum=2.0, singleStep=0.1, decimals=2)
        self.temperature.setSpecialValueText("default")
        self.max_tokens = QSpinBox(minimum=0, maximum=1_000_000, singleStep=64)
        self.max_tokens.setSpecialValueText("default")
        self.json_mode = QCheckBox("JSON mode")
        self.system, self.system_highlighter = _prompt_editor("System prompt (optional)")
        self.user, self.user_highlighter = _prompt_editor("User prompt: use {{variables}} for the test set's values")
        line = self.user.fontMetrics().lineSpacing()
        self.system.setMinimumHeight(line * 2 + 12)
        self.system.setMaximumHeight(line * 4 + 12)  # the user prompt is where the work is: it gets the room
        self.user.setMinimumHeight(line * 4 + 12)
        # Plain labels in the palette's text colour, so they repaint with the theme and keep their contrast.
        self.extra = QLabel()
        self.summary = QLabel("Not run yet.")
        self.summary.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, tip, signal in (
            ("◀", "Move left", lambda: self.move_clicked.emit(-1)),
            ("▶", "Move right", lambda: self.move_clicked.emit(1)),
            ("Duplicate", "Add a copy of this variant", self.duplicate_clicked.emit),
            ("Remove", "Remove this variant", self.remove_clicked.emit),
        ):
            button = QToolButton(text=text, toolTip=tip)  # type: ignore[call-arg]  # PySide6's stubs omit inherited properties and signals as keywords
            button.clicked.connect(signal)
            buttons.addWidget(button)
        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        top.addLayout(buttons)
        form = QFormLayout()
        form.addRow("Provider", self.provider)
        form.addRow("Model", self.model)
        parameters = QHBoxLayout()
        parameters.addWidget(QLabel("Temperature"))
        parameters.addWidget(self.temperature)
        parameters.addWidget(QLabel("Max tokens"))
        parameters.addWidget(self.max_tokens)
        form.addRow(parameters)
        form.addRow(self.json_mode)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(QLabel("System"))
        layout.addWidget(self.system, 1)
        layout.addWidget(QLabel("User"))
        layout.addWidget(self.user, 2)
        layout.addWidget(self.extra)
        layout.addWidget(self.summary)
        self.name.textEdited.connect(self._changed)
        self.provider.activated.connect(self._changed)
        self.model.currentTextChanged.connect(self._changed)
        self.temperature.valueChanged.connect(self._changed)
        self.max_tokens.valueChanged.connect(self._changed)
        self.json_mode.toggled.connect(self._changed)
        self.system.textChanged.connect(self._changed)
        self.user.textChanged.connect(self._changed)

    @property
    def variant(self) -> Variant | None:
        return self._variant

    def set_variant(self, variant: Variant, providers: Mapping[str, str]) -> None:
        """Show `variant`; widgets whose text already says the same are left alone, so typing is not disturbed."""
        self._variant = variant
        self._updating = True
        try:
            if self.name.text() != variant.name:
                self.name.setText(variant.name)
            self._set_providers(providers, variant.provider)
            if self.model.currentText() != variant.model:
                self.model.setCurrentText(variant.model)
            temperature = variant.parameters.temperature
            self.temperature.setValue(self.temperature.minimum() if temperature is None else temperature)
            self.max_tokens.setValue(variant.parameters.max_tokens or 0)
            self.json_mode.setChecked(variant.parameters.json_mode)
            system, user, others = prompts_of(variant)
            for editor, text in ((self.system, system), (self.user, user)):
                if editor.toPlainText() != text:
                    editor.setPlainText(text)
            self.extra.setText(f"+ {others} example messages (kept as they are)" if others else "")
            self.extra.setVisible(bool(others))
        finally:
            self._updating = False

    def set_models(self, models: Sequence[str]) -> None:
        self._updating = True
        try:
            current = self.model.currentText()
            self.model.clear()
            self.model.addItems(list(models))
            self.model.setCurrentText(current)
        finally:
            self._updating = False

    def set_missing(self, missing: dict[str, list[int]]) -> None:
        self.system_highlighter.set_missing(missing)
        self.user_highlighter.set_missing(missing)

    def _set_providers(self, providers: Mapping[str, str], current: str) -> None:
        shown = [(self.provider.itemData(i), self.provider.itemText(i)) for i in range(self.provider.count())]
        names = list(providers) if current in providers else [*providers, current]
        # Labels count too: a profile first met as unknown gets its name once the experiment's profiles are read.
        wanted = [(name, providers.get(name, f"{name} (unknown profile)")) for name in names]
        if shown != wanted:
            self.provider.clear()
            for name, label in wanted:
                self.provider.addItem(label, name)
        self.provider.setCurrentIndex(self.provider.findData(current))

    def _changed(self, *_args) -> None:
        if self._updating or self._variant is None:
            return
        temperature = None if self.temperature.value() < 0 else round(self.temperature.value(), 2)
        parameters = replace(
            self._variant.parameters,
            temperature=temperature,
            max_tokens=self.max_tokens.value() or None,
            json_mode=self.json_mode.isChecked(),
        )
        variant = replace(
            self._variant,
            name=self.name.text(),
            provider=self.provider.currentData() or "",
            model=self.model.currentText(),
            parameters=parameters,
        )
        variant = with_prompts(variant, self.system.toPlainText(), self.user.toPlainText())
        if variant != self._variant:
            self._variant = variant
            self.edited.emit(variant)


class VariantColumns(QScrollArea):
    """Every variant of the experiment, side by side, and a button to add one."""

    models_wanted = Signal(str)

    def __init__(self, state: EditorState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.columns: list[VariantColumn] = []
        self._providers: dict[str, str] = {}
        self._models: dict[str, list[str]] = {}
        self._missing: dict[str, list[int]] = {}
        self._inner = QWidget()
        self._row = QHBoxLayout(self._inner)
        self._row.setContentsMargins(4, 4, 4, 4)
        self.add_button = QPushButton("+ Add variant")
        self.add_button.setToolTip("Add a variant: a copy of the last one, to change one thing")
        self.add_button.clicked.connect(lambda: self.duplicate(len(self.columns) - 1))
        self._row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._inner)
        self.setWidgetResizable(True)
        state.watch(self._on_state)
        self._sync()

    # ----- fed by the window

    def set_providers(self, providers: Mapping[str, str]) -> None:
        """Profile name -> label, for the provider pickers."""
        self._providers = dict(providers)
        self._sync()

    def set_models(self, provider: str, models: Sequence[str]) -> None:
        self._models[provider] = list(models)
        for column in self.columns:
            if column.variant is not None and column.variant.provider == provider:
                column.set_models(models)

    def set_missing(self, missing: dict[str, list[int]]) -> None:
        self._missing = missing
        for column in self.columns:
            column.set_missing(missing)

    def set_summaries(self, summaries: Mapping[str, VariantSummary]) -> None:
        for column in self.columns:
            name = column.variant.name if column.variant else ""
            column.summary.setText(describe_summary(summaries.get(name)))

    # ----- user actions, each one edit of the experiment

    def duplicate(self, index: int) -> None:
        experiment = self.state.experiment
        source = experiment.variants[index] if experiment.variants else None
        if source is None:
            return
        copy = replace(source, name=_free_name(source.name, {v.name for v in experiment.variants}))
        variants = list(experiment.variants)
        variants.insert(index + 1, copy)
        self.state.edit(replace(experiment, variants=tuple(variants)), f"Duplicate variant '{source.name}'")

    def remove(self, index: int) -> None:
        experiment = self.state.experiment
        if len(experiment.variants) <= 1:
            return  # an experiment needs a variant; the button of the last one does nothing
        variants = list(experiment.variants)
        removed = variants.pop(index)
        self.state.edit(replace(experiment, variants=tuple(variants)), f"Remove variant '{removed.name}'")

    def move_variant(self, index: int, delta: int) -> None:
        target = index + delta
        variants = list(self.state.experiment.variants)
        if not 0 <= target < len(variants):
            return
        variants[index], variants[target] = variants[target], variants[index]
        label = f"Move variant '{variants[target].name}' {'left' if delta < 0 else 'right'}"
        self.state.edit(replace(self.state.experiment, variants=tuple(variants)), label)

    def _edited(self, column: VariantColumn, variant: Variant) -> None:
        index = self.columns.index(column)
        variants = list(self.state.experiment.variants)
        before = variants[index]
        provider_changed = before.provider != variant.provider
        variants[index] = variant
        field, words = _what_changed(before, variant)
        name = f"variant '{before.name}'"
        # The keystrokes of one field of one variant are one undo step; another field starts the next.
        self.state.edit(
            replace(self.state.experiment, variants=tuple(variants)),
            f"Rename {name}" if field == "name" else f"{words} of {name}",
            merge=f"variant {index} {field}",
        )
        if provider_changed:
            self._ask_models(variant.provider, column)

    # ----- keeping the columns in step with the experiment

    def _on_state(self, _state: EditorState, what: str) -> None:
        if what == EXPERIMENT:
            self._sync()

    def _sync(self) -> None:
        variants = self.state.experiment.variants
        while len(self.columns) < len(variants):
            self._add_column()
        while len(self.columns) > len(variants):
            column = self.columns.pop()
            self._row.removeWidget(column)
            column.deleteLater()
        providers = self._providers or {v.provider: v.provider for v in variants}
        for column, variant in zip(self.columns, variants, strict=True):
            known_provider = column.variant.provider if column.variant else None
            column.set_variant(variant, providers)
            if known_provider != variant.provider:
                self._ask_models(variant.provider, column)

    def _add_column(self) -> None:
        column = VariantColumn()
        column.edited.connect(lambda variant, c=column: self._edited(c, variant))
        column.duplicate_clicked.connect(lambda c=column: self.duplicate(self.columns.index(c)))
        column.remove_clicked.connect(lambda c=column: self.remove(self.columns.index(c)))
        column.move_clicked.connect(lambda delta, c=column: self.move_variant(self.columns.index(c), delta))
        column.set_missing(self._missing)
        self.columns.append(column)
        self._row.insertWidget(len(self.columns) - 1, column)

    def _ask_models(self, provider: str, column: VariantColumn) -> None:
        if provider in self._models:
            column.set_models(self._models[provider])
        else:
            self.models_wanted.emit(provider)


def _what_changed(before: Variant, after: Variant) -> tuple[str, str]:
    """(field, words for the Edit menu) of a column's edit; a column edit changes one field at a time."""
    for field, words in (
        ("name", "Rename"),  # "Rename variant 'A'", the others "Change the model of variant 'A'"
        ("provider", "Change the provider"),
        ("model", "Change the model"),
        ("parameters", "Change the parameters"),
    ):
        if getattr(before, field) != getattr(after, field):
            return field, words
    return "messages", "Edit the prompts"


def _free_name(name: str, taken: set[str]) -> str:
    base = name.rstrip("0123456789 ").rstrip() or "Variant"
    number = 2
    while f"{base} {number}" in taken:
        number += 1
    return f"{base} {number}"
