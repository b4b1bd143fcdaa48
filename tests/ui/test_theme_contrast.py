"""Both themes are readable: every text colour the banner, the grid's cells and badges, the verdicts and the diff
marks use meets WCAG AA (4.5:1) on its background, read from the palettes and from the banner's real style sheet;
and switching the theme repaints what was shown at once (the banner, the grid's cells, the variant names)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from promptbench.ui.theme import BADGE_TEXT, DARK, LIGHT, apply_theme, colours, contrast_ratio, dark_palette

pytestmark = pytest.mark.gui
AA = 4.5


def test_the_contrast_formula_matches_wcags_known_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)


def theme_palettes():
    light = QStyleFactory.create("Fusion").standardPalette()
    return [("light", LIGHT, light), ("dark", DARK, dark_palette())]


@pytest.mark.parametrize(("name", "theme", "palette"), theme_palettes(), ids=["light", "dark"])
def test_every_text_colour_meets_aa_in_both_themes(qapp, name, theme, palette):
    window, base = palette.color(QPalette.ColorRole.Window).name(), palette.color(QPalette.ColorRole.Base).name()
    pairs = {
        "window text": (palette.color(QPalette.ColorRole.WindowText).name(), window),
        "text": (palette.color(QPalette.ColorRole.Text).name(), base),
        "button text": (
            palette.color(QPalette.ColorRole.ButtonText).name(),
            palette.color(QPalette.ColorRole.Button).name(),
        ),
        "diff inserted": (theme.inserted_fg, theme.inserted_bg),
        "diff deleted": (theme.deleted_fg, theme.deleted_bg),
        "template variable": (theme.variable_fg, theme.variable_bg),
        "template tag": (theme.tag_fg, base),
    }
    for verdict in ("passed", "failed", "errored", "muted"):
        pairs[f"{verdict} on window"] = (getattr(theme, verdict), window)
        pairs[f"{verdict} on base"] = (getattr(theme, verdict), base)
    for kind, (background, _border, text) in theme.banners.items():
        pairs[f"banner {kind}"] = (text, background)
    for state, (background, badge, text) in theme.cells.items():
        pairs[f"cell {state} badge"] = (BADGE_TEXT, badge)
        cell = background or base
        pairs[f"cell {state} text"] = (text if background else palette.color(QPalette.ColorRole.Text).name(), cell)
        if state == "error":
            pairs["cell error text"] = (theme.errored, cell)
        pairs[f"cell {state} search match"] = (text, theme.search_mark)
    low = {what: round(contrast_ratio(fg, bg), 2) for what, (fg, bg) in pairs.items() if contrast_ratio(fg, bg) < AA}
    assert not low, f"{name} theme: below 4.5:1: {low}"


def style_colours(sheet: str) -> tuple[str, str]:
    """(background, text colour) of the banner as its style sheet says."""
    background = re.search(r"QFrame#banner \{ background: (#[0-9a-f]{6})", sheet)
    text = re.search(r"QLabel \{ color: (#[0-9a-f]{6})", sheet)
    assert background and text, sheet
    return background.group(1), text.group(1)


def test_switching_the_theme_repaints_the_shown_window(make_window, qtbot):
    from promptbench.ui.window.main_window import NO_KEY_BANNER

    app = QApplication.instance()
    window = make_window()
    window.resize(1366, 768)
    window.banner.show_message(NO_KEY_BANNER, "info")
    with qtbot.waitSignal(window.run_finished, timeout=30000):
        window.run(confirm=False)
    try:
        for theme in ("dark", "light", "dark"):
            apply_theme(app, theme)
            qtbot.wait(50)
            palette = colours(app.palette())
            background, text = style_colours(window.banner.styleSheet())
            assert (background, text) == (palette.banners["info"][0], palette.banners["info"][2])
            assert contrast_ratio(text, background) >= AA
            # The variant names follow the palette (no style sheet holds the old theme's colour).
            name = window.variants.columns[0].name
            assert name.palette().color(QPalette.ColorRole.Text) == app.palette().color(QPalette.ColorRole.Text)
            # A failed cell (the demo's first case fails for the first variant) is painted in this theme's colour.
            table = window.results_view.table
            rect = table.visualRect(window.results_view.proxy.index(0, 0))
            image = table.viewport().grab(rect).toImage()
            corner = image.pixelColor(image.width() - 3, image.height() - 3).name()
            assert corner == palette.cells["fail"][0], theme
            # The prompt editors' {{variables}} are in this theme's colours too.
            user = window.variants.columns[0].user
            formats = user.document().firstBlock().layout().formats()
            for block in _blocks(user.document()):
                formats += block.layout().formats()
            backgrounds = {f.format.background().color().name() for f in formats}
            assert palette.variable_bg in backgrounds, (theme, backgrounds)
    finally:
        apply_theme(app, "light")


def _blocks(document):
    block = document.firstBlock().next()
    while block.isValid():
        yield block
        block = block.next()
