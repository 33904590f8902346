"""Reading an uploaded assessment file into data: JSON, YAML, or a share link of the PKI Consortium tool."""

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import unquote

import yaml

from assessments.services.common import AssessmentError
from core.textrules import LimitError, bounded_yaml_loader, json_loads_bounded, nesting_problem
from core.yaml_loading import FastSafeLoader, yaml_load_plain

MAX_FILE_BYTES = 20 * 1024 * 1024
# YAML is parsed far slower than JSON: a smaller cap keeps an import's time bounded.
MAX_YAML_BYTES = 5 * 1024 * 1024


class ExchangeError(AssessmentError):
    """A refused file; ``problems`` names each problem with its place in the file."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("The file was not imported: " + "; ".join(self.problems))


def _no_duplicate_keys(pairs):
    """The object of ``pairs``, refused when a key appears twice; linear in the number of keys."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen, duplicates = set(), set()
        for key, _ in pairs:
            (duplicates if key in seen else seen).add(key)
        raise ExchangeError([f"the key {json.dumps(key)} appears twice in one object" for key in sorted(duplicates)])
    return result


def _base64_text(value: str) -> str:
    padded = value.strip().replace("-", "+").replace("_", "/")
    raw = base64.b64decode(padded + "=" * (-len(padded) % 4), validate=True)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # a plain btoa() of a Latin-1 string


def pkic_share_link_parse(link: str) -> dict:
    """The data of the PKI Consortium tool's share link: base64 fields in the URL fragment."""
    _, _, fragment = link.strip().partition("#")
    fields = {}
    for part in fragment.lstrip("?").split("&"):
        name, sep, value = part.partition("=")
        if sep:
            # Not parse_qs: it would turn the "+" of base64 into a space.
            fields[unquote(name)] = unquote(value)
    if "progress" not in fields:
        raise ExchangeError(["the link carries no progress (expected #progress=... from the PKI Consortium tool)"])
    data, problems = {}, []
    for name, value in fields.items():
        try:
            data[name] = _base64_text(value)
        except (binascii.Error, ValueError):
            problems.append(f"$.{name}: not base64 text")
    if "progress" in data:
        try:
            data["progress"] = json_loads_bounded(data["progress"])
        except LimitError as error:
            problems.append(f"$.progress: {error}")
        except ValueError:
            problems.append("$.progress: not JSON once decoded")
    if problems:
        raise ExchangeError(problems)
    return data


# Numbers bounded as everywhere (core.textrules); aliases and nesting are checked by yaml_load_plain.
_PlainYamlLoader = bounded_yaml_loader(FastSafeLoader)


def exchange_document_parse(*, content: bytes | str, filename: str = "") -> Any:
    """The data in a file: exchange-format JSON, the PKI tool's progress.yaml, or the tool's share link."""
    if isinstance(content, bytes):
        if len(content) > MAX_FILE_BYTES:
            raise ExchangeError([f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ExchangeError(["the file is not UTF-8 text"]) from None
    text = content.strip()
    if not text:
        raise ExchangeError(["the file is empty"])
    try:
        if re.match(r"https?://", text) and "#" in text:
            return pkic_share_link_parse(text)
        if filename.lower().endswith(".json") or text.startswith(("{", "[")):
            try:
                return json_loads_bounded(text, object_pairs_hook=_no_duplicate_keys)
            except json.JSONDecodeError as error:
                where = f"line {error.lineno}, column {error.colno}"
                raise ExchangeError([f"not valid JSON: {error.msg} ({where})"]) from None
            except LimitError as error:
                raise ExchangeError([str(error)]) from None
        if len(text.encode()) > MAX_YAML_BYTES:
            raise ExchangeError([f"a YAML file is limited to {MAX_YAML_BYTES // (1024 * 1024)} MB"])
        try:
            data = yaml_load_plain(text, _PlainYamlLoader)
        except yaml.YAMLError as error:
            where = getattr(error, "problem_mark", None)
            at = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
            problem = getattr(error, "problem", None) or error
            raise ExchangeError([f"neither JSON nor valid YAML: {problem}{at}"]) from None
        if problem := nesting_problem(data):
            raise ExchangeError([problem])
        return data
    except RecursionError:
        raise ExchangeError(["the file is nested too deeply"]) from None
