"""One rule for single-line text (names, titles, labels), shared by forms, services and imports.

A single-line value never holds control characters (CR, LF, TAB, NUL, the C0 and C1 ranges, DEL) nor the Unicode
line and paragraph separators: they break e-mail headers, log lines and report layouts. Multi-line fields (comments,
descriptions) keep their line breaks and are not checked here.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

SINGLE_LINE_MESSAGE = "Use a single line of text: line breaks, tabs and other control characters are not allowed."


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value or ""))


def validate_single_line(value: str) -> None:
    """Raise ValidationError when ``value`` holds a control character (see the module docstring)."""
    if has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")


def single_line_text(value: str) -> str:
    """``value`` with every control character replaced by a space: for values written before the rule existed
    (mail subjects, file names) where refusing is no longer possible."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


class SingleLineCharField(forms.CharField):
    """A CharField that refuses control characters (forms use it for every single-line text)."""

    default_validators = [validate_single_line]
