"""One set of limits for the text, numbers and structure the application takes in.

The importers (exchange files, the PKI Consortium tool's progress, model and extension files) and the services
behind the forms (answers, comments) apply the same rules, so a file can never store what a form refuses:

- text: no NUL, no control characters other than tab and line breaks (none at all in single-line fields), no
  unpaired surrogates (they cannot be stored as UTF-8), and the length limits below;
- numbers: at most ``MAX_NUMBER_CHARS`` characters, checked on the text before any conversion;
- structure: lists and objects nested at most ``MAX_NESTING`` deep.

Every refusal names its place (a path such as ``$.answers["G.1.1"].notes`` or a line and column).
Users: exchange files, the PKI Consortium tool's progress and share links, model, extension, references and
profile files, the tool workbooks, the REST API's JSON bodies (``api/parsers.py``), and the answer and
comment services (so the questionnaire's forms refuse what the files are refused). Other form fields rely on
Django's own checks (form CharFields refuse NUL) and their max lengths.
"""

import json
import re

# Text lengths shared by forms, services and importers.
NOTES_MAX_LENGTH = 20_000  # answer notes (questionnaire and imports)
COMMENT_MAX_LENGTH = 10_000  # comments
LONG_TEXT_MAX_LENGTH = 20_000  # other multi-line texts: environment, sampling notes, reasons, statements
NAME_MAX_LENGTH = 200

MAX_NESTING = 32
MAX_NUMBER_CHARS = 40

# C0 controls except tab, line feed and carriage return; DEL and C1 controls; unpaired surrogates.
_MULTILINE_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class LimitError(ValueError):
    """Input beyond the limits; the message names the place."""


def _describe_character(char: str) -> str:
    code = ord(char)
    if code == 0:
        return "a NUL character"
    if 0xD800 <= code <= 0xDFFF:
        return f"an unpaired surrogate (U+{code:04X})"
    return f"a control character (U+{code:04X})"


def text_problem(value: str, *, max_length: int | None = None, single_line: bool = False) -> str | None:
    """Why ``value`` cannot be stored, or None. The length is checked first (cheap on huge values)."""
    if max_length is not None and len(value) > max_length:
        return f"longer than {max_length:,} characters ({len(value):,})"
    forbidden = _SINGLE_LINE_FORBIDDEN if single_line else _MULTILINE_FORBIDDEN
    if found := forbidden.search(value):
        return f"contains {_describe_character(found.group())} at character {found.start() + 1}"
    return None


def nesting_problem(data, *, limit: int = MAX_NESTING, root: str = "$") -> str | None:
    """The path of the first list or object nested deeper than ``limit``, as a message; None if within.
    Iterative, so it works on data of any depth."""
    stack = [(data, root, 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return f"{path}: nested deeper than {limit} levels"
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in items:
                child_path = f"{path}[{key}]" if isinstance(key, int) else f"{path}[{json.dumps(str(key))}]"
                stack.append((child, child_path, depth + 1))
    return None


def strings_problem(data, *, max_length: int | None = None, root: str = "$") -> str | None:
    """The first string (value or key) anywhere in ``data`` that ``text_problem`` refuses, as "<path>: <why>";
    None if all pass. For documents whose strings are not all checked field by field (API bodies, profiles,
    references)."""
    found = strings_problem_at(data, max_length=max_length, root=root)
    return f"{found[0]}: {found[1]}" if found else None


def strings_problem_at(data, *, max_length: int | None = None, root: str = "$") -> tuple[str, str] | None:
    """``strings_problem`` as (path, why). Iterative, so it works on data of any depth."""
    stack = [(data, root)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if problem := text_problem(value, max_length=max_length):
                return path, problem
        elif isinstance(value, dict | list):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in reversed(list(items)):
                if isinstance(key, str) and (problem := text_problem(key, max_length=max_length)):
                    return path, f"a key {problem}"
                child_path = f"{path}[{key}]" if isinstance(key, int) else f"{path}[{json.dumps(str(key))}]"
                stack.append((child, child_path))
    return None


def _line_column(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _bounded_number(kind):
    def parse(literal: str):
        if len(literal) > MAX_NUMBER_CHARS:
            raise _NumberTooLong(literal)
        return kind(literal)

    return parse


class _NumberTooLong(Exception):
    def __init__(self, literal):
        self.literal = literal


def json_loads_bounded(text: str, **options):
    """``json.loads`` with numbers bounded before conversion and nesting bounded (``LimitError`` names the
    place); a ``json.JSONDecodeError`` for malformed JSON as usual."""
    try:
        data = json.loads(text, parse_int=_bounded_number(int), parse_float=_bounded_number(float), **options)
    except _NumberTooLong as error:
        index = text.find(error.literal)
        where = _line_column(text, index) if index >= 0 else "(file)"
        raise LimitError(
            f"{where}: a number of {len(error.literal):,} characters (at most {MAX_NUMBER_CHARS})"
        ) from None
    except RecursionError:
        raise LimitError(f"the file is nested too deeply (more than {MAX_NESTING} levels)") from None
    if problem := nesting_problem(data):
        raise LimitError(problem)
    return data


class BoundedYamlMixin:
    """For a PyYAML loader: integers bounded before conversion and nesting bounded while composing, both
    refused as ``yaml.MarkedYAMLError`` with the line and column (so the caller's YAML error handling names
    the place)."""

    _depth = 0

    def compose_node(self, parent, index):
        import yaml

        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(None, None, f"nested deeper than {MAX_NESTING} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node):
        import yaml

        if len(str(node.value)) > MAX_NUMBER_CHARS:
            raise yaml.MarkedYAMLError(
                None, None, f"a number of {len(node.value):,} characters (at most {MAX_NUMBER_CHARS})", node.start_mark
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):
        import yaml

        if len(str(node.value)) > MAX_NUMBER_CHARS:
            raise yaml.MarkedYAMLError(
                None, None, f"a number of {len(node.value):,} characters (at most {MAX_NUMBER_CHARS})", node.start_mark
            )
        return super().construct_yaml_float(node)


def bounded_yaml_loader(base):
    """A subclass of the PyYAML loader ``base`` with ``BoundedYamlMixin``'s limits and its constructors."""
    loader = type(f"Bounded{base.__name__}", (BoundedYamlMixin, base), {})
    loader.add_constructor("tag:yaml.org,2002:int", BoundedYamlMixin.construct_yaml_int)
    loader.add_constructor("tag:yaml.org,2002:float", BoundedYamlMixin.construct_yaml_float)
    return loader
