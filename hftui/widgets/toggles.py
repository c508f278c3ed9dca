"""Checkboxes and radio buttons whose state reads without colour.

Textual draws a checkbox as ``▐X▌`` whether it is on or off (and a radio
button as ``▐●▌``): only the colour of the mark differs, which NO_COLOR and
16-colour terminals lose. ``install()`` (called once by the app) makes the
mark depend on the value, for every checkbox and radio button of every
screen: ``▐X▌`` / ``▐●▌`` when on, an empty ``▐ ▌`` when off.

It replaces the ``BUTTON_INNER`` class attribute (Textual's documented knob
for the mark) by a descriptor that reads the button's ``value``; a subclass
that sets its own ``BUTTON_INNER`` keeps it.
"""

from __future__ import annotations

OFF = " "


class StateGlyph:
    """A ``BUTTON_INNER`` that is ``on`` when the button's value is true, else ``off``."""

    def __init__(self, on: str, off: str = OFF) -> None:
        self.on = on
        self.off = off

    def __get__(self, obj, owner=None) -> str:
        if obj is None:  # class access (e.g. SelectionList draws ToggleButton.BUTTON_INNER)
            return self.on
        return self.on if getattr(obj, "value", True) else self.off

    def __repr__(self) -> str:
        return f"StateGlyph({self.on!r}, {self.off!r})"


def install() -> None:
    """Make every ToggleButton (Checkbox, RadioButton) show its state by glyph. Idempotent."""
    from textual.widgets._radio_button import RadioButton
    from textual.widgets._toggle_button import ToggleButton

    for cls in (ToggleButton, RadioButton):
        current = cls.__dict__.get("BUTTON_INNER")
        if isinstance(current, str):
            setattr(cls, "BUTTON_INNER", StateGlyph(current))
