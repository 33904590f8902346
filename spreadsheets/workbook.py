"""Reading the PKI Consortium's Excel tools: the formal ``PKI_Maturity_Assessment_Tool`` and the
``PKI_Maturity_Self_Assessment_Tool``, as exchange-format data.

Only input cells are read (levels, notes, scope, dates, names), never cached formula results: the
engine scores the imported assessment itself. Rows are found by the ids the workbooks carry
("1.1.1." is requirement 1 of category 1 of module 1), mapped onto the model's own keys by position
(module 1 = the model's first module, e.g. G). Nothing of the workbooks' texts is kept but what the
user typed in. Each value remembers its cell, so that a problem is reported as ``Sheet!A1``.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from assessments.exchange import FORMAT, FORMAT_VERSION
from assessments.models import Applicability, Assessment
from assessments.services.exchange_files import ExchangeError
from catalog.models import Category, Module, Requirement
from core.textrules import LONG_TEXT_MAX_LENGTH, text_problem

# Both tools in ../shared/pkimm/tools belong to model 1.0.0 (15 categories).
TOOL_MODEL_VERSION = "1.0.0"
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 150 * 1024 * 1024  # an .xlsx is a zip: bound what it unpacks to
MAX_ZIP_MEMBERS = 2000

LEVEL_NAMES = {"initial": 1, "basic": 2, "advanced": 3, "managed": 4, "optimized": 5}
OUT_OF_SCOPE = "OUT OF"
SELF_NOT_EVALUATED = 6
SELF_NOT_APPLICABLE = 7
NOT_APPLICABLE_REASON = "Out of scope in the PKI Consortium's assessment tool"
SELF_NOT_APPLICABLE_REASON = "Not applicable in the PKI Consortium's self-assessment tool"

REQUIREMENT_ID = re.compile(r"^\s*(\d+)\.(\d+)\.(\d+)\.?\s*$")
CATEGORY_TITLE = re.compile(r"^\s*(\d+)\.(\d+)\.\s")
SCOPING_REF = re.compile(r"Scoping!\$?K\$?(\d+)")

FORMAL_SHEETS = {"Overview", "Scoping", "Assessment"}
SELF_SHEETS = {"Tool"}


@dataclass
class WorkbookData:
    kind: str  # "formal" | "self"
    data: dict  # exchange-format data
    cells: dict[str, str] = field(default_factory=dict)  # exchange path -> "Sheet!A1"
    plans: list[dict] = field(default_factory=list)


class _Problems:
    def __init__(self):
        self.items: list[str] = []

    def add(self, cell: str, message: str) -> None:
        self.items.append(f"{cell}: {message}")


def _open(content: bytes):
    if len(content) > MAX_WORKBOOK_BYTES:
        raise ExchangeError([f"the workbook is larger than {MAX_WORKBOOK_BYTES // (1024 * 1024)} MB"])
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise ExchangeError(["the workbook unpacks to more than this import accepts"])
    except zipfile.BadZipFile:
        raise ExchangeError(["not an Excel workbook (.xlsx)"]) from None
    try:
        return load_workbook(io.BytesIO(content), data_only=False)
    except (InvalidFileException, KeyError, ValueError, OSError) as error:
        raise ExchangeError([f"the workbook could not be read ({type(error).__name__})"]) from None
    except SyntaxError as error:  # xml.etree's ParseError: NUL, control characters, lone surrogates in a part
        raise ExchangeError(
            [
                f"the workbook could not be read: a part of it is not well-formed XML ({error}); NUL, control "
                "characters and unpaired surrogates are not allowed"
            ]
        ) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "" if value.startswith("=") else value.strip()
    return str(value).strip()


def _input(ws, coordinate):
    """An input cell's value; a formula there is not input (its cached result is not read)."""
    value = ws[coordinate].value
    if isinstance(value, str) and value.startswith("="):
        return None
    if hasattr(value, "text"):  # array formulas
        return None
    return value


def _date(ws, coordinate, problems: _Problems) -> str | None:
    value = _input(ws, coordinate)
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        problems.add(f"{ws.title}!{coordinate}", f"{str(value)[:40]!r} is not a date")
        return None


class _ModelKeys:
    """The model's keys by the workbooks' numbers, by position: module 1 is the model's first module,
    category (2, 1) the first category of the second module (e.g. M.5 in 1.0.0), (2, 1, 1) its first requirement."""

    def __init__(self, version: str):
        self.version = version
        self.modules = list(
            Module.objects.filter(model_version__version=version).order_by("position").values_list("code", flat=True)
        )
        categories = list(
            Category.objects.filter(model_version__version=version)
            .order_by("position")
            .values_list("key", "module__code", "name")
        )
        self._category_by_name = {(module, _normal(name)): key for key, module, name in categories}
        self.categories = [key for key, _, _ in categories]
        self.category_keys = set(self.categories)
        self._category_by_number = {}
        per_module: dict[str, int] = {}
        for key, module, _ in categories:
            per_module[module] = per_module.get(module, 0) + 1
            self._category_by_number[(self.modules.index(module) + 1, per_module[module])] = key
        self._requirement_by_number = {}
        counters: dict[str, int] = {}
        requirements = Requirement.objects.filter(model_version__version=version).order_by("position")
        for key, category_key in requirements.values_list("key", "category__key"):
            counters[category_key] = counters.get(category_key, 0) + 1
            self._requirement_by_number[(category_key, counters[category_key])] = key
        self.requirement_keys = set(self._requirement_by_number.values())

    def module(self, number: int) -> str | None:
        return self.modules[number - 1] if 1 <= number <= len(self.modules) else None

    def category(self, module: int, category: int, name: str = "") -> str | None:
        """The tools number categories in their own order (3.2 is Interoperability, O.11 in model 1.0.0):
        the category's name in the workbook decides; without a known name, the position in the module."""
        by_name = self._category_by_name.get((self.module(module), _normal(name)))
        return by_name or self._category_by_number.get((module, category))

    def requirement(self, module: int, category: int, requirement: int, name: str = "") -> str | None:
        return self._requirement_by_number.get((self.category(module, category, name), requirement))


def _normal(name: str) -> str:
    return " ".join(name.lower().replace("&", "and").split())


def _category_titles(ws) -> dict[tuple[int, int], str]:
    """``{(module, category): name}`` from the literal titles ("3.2. Interoperability") in a sheet."""
    titles = {}
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 400)):
        for cell in row:
            if isinstance(cell.value, str) and (match := CATEGORY_TITLE.match(cell.value)):
                titles[(int(match.group(1)), int(match.group(2)))] = cell.value[match.end() :].strip()
    return titles


def workbook_read(*, content: bytes, model_version: str | None = None) -> WorkbookData:
    """Read a filled tool workbook; raise ExchangeError naming every problem by sheet and cell."""
    workbook = _open(content)
    version = model_version or TOOL_MODEL_VERSION
    keys = _ModelKeys(version)
    if not keys.modules:
        raise ExchangeError([f"model {version} is not imported here (the tool workbooks belong to it)"])
    names = set(workbook.sheetnames)
    if FORMAL_SHEETS <= names:
        result = _read_formal(workbook, keys)
    elif SELF_SHEETS <= names:
        result = _read_self(workbook, keys)
    else:
        raise ExchangeError(
            ["not a PKI Consortium tool workbook (neither the sheets Overview, Scoping and Assessment nor Tool)"]
        )
    return result


def _level_name(ws, coordinate, problems: _Problems) -> int | None:
    value = _input(ws, coordinate)
    text = _text(value)
    if not text:
        return None
    level = LEVEL_NAMES.get(text.lower())
    if level is None:
        problems.add(
            f"{ws.title}!{coordinate}",
            f"{text[:40]!r} is not a maturity level (Initial, Basic, Advanced, Managed, Optimized)",
        )
    return level


def _read_formal(workbook, keys: _ModelKeys) -> WorkbookData:
    problems = _Problems()
    overview, scoping, sheet = workbook["Overview"], workbook["Scoping"], workbook["Assessment"]
    cells: dict[str, str] = {}
    answers: dict[str, dict] = {}
    category_answers: dict[str, dict] = {}
    first_scoping_row: dict[str, int] = {}
    titles = _category_titles(workbook["tech"]) if "tech" in workbook.sheetnames else {}
    for row in range(1, sheet.max_row + 1):
        match = REQUIREMENT_ID.match(_text(sheet[f"C{row}"].value))
        if not match:
            continue
        m, c, r = (int(part) for part in match.groups())
        category_key = keys.category(m, c, titles.get((m, c), ""))
        key = keys.requirement(m, c, r, titles.get((m, c), ""))
        level = _level_name(sheet, f"I{row}", problems)
        notes = _text(_input(sheet, f"J{row}"))
        evidence = _text(_input(sheet, f"L{row}"))
        if evidence:
            notes = f"{notes}\n\nEvidence: {evidence}".strip()
        scoping_row = None
        formula = sheet[f"F{row}"].value
        if isinstance(formula, str) and (ref := SCOPING_REF.search(formula)):
            scoping_row = int(ref.group(1))
        if key is None:
            # The tool keeps spare rows (e.g. 1.1.5.) for requirements the model does not have; it gives
            # them weight 0, so whatever they hold counts for nothing there either.
            continue
        entry: dict = {}
        if level is not None:
            entry["level"] = level
            cells[f'$.answers["{key}"].level'] = f"Assessment!I{row}"
        if notes:
            entry["notes"] = notes
            cells[f'$.answers["{key}"].notes'] = f"Assessment!J{row}"
        if scoping_row is not None:
            first_scoping_row.setdefault(category_key, scoping_row)
            if _text(_input(scoping, f"K{scoping_row}")).upper() == OUT_OF_SCOPE:
                entry["applicability"] = Applicability.Level.NOT_APPLICABLE
                entry["reason"] = _text(_input(scoping, f"L{scoping_row}")) or NOT_APPLICABLE_REASON
                cells[f'$.answers["{key}"].reason'] = f"Scoping!L{scoping_row}"
        if entry:
            answers[key] = entry
            cells.setdefault(f'$.answers["{key}"]', f"Assessment!C{row}")
    for category_key, scoping_row in first_scoping_row.items():
        if _text(_input(scoping, f"F{scoping_row}")).upper() == OUT_OF_SCOPE:
            category_answers[category_key] = {
                "applicability": Applicability.Level.NOT_APPLICABLE,
                "reason": NOT_APPLICABLE_REASON,
            }
            cells[f'$.category_answers["{category_key}"]'] = f"Scoping!F{scoping_row}"
    if not answers and not category_answers:
        problems.add("Assessment!C16", "no requirement rows found (is this the assessment tool?)")

    position = _text(_input(overview, "L5")).lower()
    assessor_type = {"internal": "internal", "external": "external"}.get(position)
    if position and assessor_type is None:
        problems.add("Overview!L5", f"{position[:40]!r} is neither Internal nor External")
    use_case = {
        "name": _text(_input(overview, "D5"))[:200] or "Use case (PKI Consortium tool)",
        "description": _text(_input(overview, "B16")),
        "components": _text(_input(overview, "B20")),
        "out_of_scope": _text(_input(overview, "B24")),
    }
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_version": keys.version,
        "name": (_text(_input(overview, "D5")) or "Assessment from the PKI Consortium tool")[:200],
        "method": Assessment.Method.FORMAL,
        "assessor": {
            "type": assessor_type or "internal",
            "name": _text(_input(overview, "L7"))[:200],
            "company": _text(_input(overview, "L6"))[:200],
        },
        "dates": {
            "start": _date(overview, "D7", problems),
            "target": _date(overview, "D8", problems),
            "finish": _date(overview, "D9", problems),
        },
        "environment": {"design": _text(_input(overview, "B31")), "interactions": _text(_input(overview, "B35"))},
        "use_cases": [use_case],
        "answers": answers,
        "category_answers": category_answers,
    }
    cells.update({"$.name": "Overview!D5", "$.assessor.name": "Overview!L7", "$.assessor.company": "Overview!L6"})
    cells.update({"$.dates": "Overview!D7:D9", "$.use_cases[0].name": "Overview!D5"})
    tool_order = [keys.category(m, c, name) for (m, c), name in sorted(titles.items())] or keys.categories
    targets, plans = _read_action_plans(workbook, tool_order, problems)
    if targets:
        data["target_levels"] = {key: {"level": level} for key, (level, _cell) in targets.items()}
        cells.update({f'$.target_levels["{key}"]': cell for key, (_level, cell) in targets.items()})
    if problems.items:
        raise ExchangeError(problems.items)
    return WorkbookData(kind="formal", data=data, cells=cells, plans=plans)


PLAN_FIELDS = {
    "objectives": "objectives",
    "responsibility": "responsible_text",
    "schedule": "schedule",
    "resources": "resources",
    "outputs": "outputs",
    "tasks": "tasks",
    "comments": "comments",
}


def _read_action_plans(workbook, tool_order: list, problems: _Problems):
    """Target levels (column H of the category rows) and the plan blocks below them.

    The category rows are the ones whose column G looks the achieved level up, in the tool's category
    order (``tool_order``: their keys in this model). The tool lists one plan block per category that has
    a target level, in that same order.
    """
    if "ActionPlans" not in workbook.sheetnames:
        return {}, []
    ws = workbook["ActionPlans"]
    category_rows = [
        row
        for row in range(1, min(ws.max_row, 200) + 1)
        if isinstance(ws[f"G{row}"].value, str) and ws[f"G{row}"].value.upper().startswith(f"=VLOOKUP(F{row},")
    ]
    targets: dict[str, tuple[int, str]] = {}
    for index, row in enumerate(category_rows):
        level = _level_name(ws, f"H{row}", problems)
        if level is not None and index < len(tool_order) and tool_order[index]:
            targets[tool_order[index]] = (level, f"ActionPlans!H{row}")
    blocks = [row for row in range(1, ws.max_row + 1) if _text(ws[f"B{row}"].value).lower() == "objectives"]
    plans = []
    for category_key, block_row in zip(targets, blocks, strict=False):
        fields = {}
        for offset in range(len(PLAN_FIELDS)):
            label = _text(ws[f"B{block_row + offset}"].value).lower()
            if label in PLAN_FIELDS:
                value = _text(_input(ws, f"D{block_row + offset}"))
                if problem := text_problem(value, max_length=LONG_TEXT_MAX_LENGTH):
                    problems.add(f"ActionPlans!D{block_row + offset}", problem)
                    continue
                fields[PLAN_FIELDS[label]] = value
        if any(fields.values()):
            plans.append({"category_key": category_key, "target_level": targets[category_key][0], **fields})
    return targets, plans


def _read_self(workbook, keys: _ModelKeys) -> WorkbookData:
    problems = _Problems()
    ws = workbook["Tool"]
    cells: dict[str, str] = {}
    category_answers: dict[str, dict] = {}
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 400)):
        for cell in row:
            if not isinstance(cell.value, str) or cell.value.startswith("="):
                continue
            match = CATEGORY_TITLE.match(cell.value)
            if not match:
                continue
            key = keys.category(int(match.group(1)), int(match.group(2)), cell.value[match.end() :])
            coordinate = f"{cell.column_letter}{cell.row + 2}"
            value = _input(ws, coordinate)
            if key not in keys.category_keys:
                if value not in (None, ""):
                    problems.add(
                        f"Tool!{cell.coordinate}", f"{cell.value[:8].strip()} is not a category of model {keys.version}"
                    )
                continue
            text = _text(value)
            if not text:
                continue
            try:
                number = int(float(text))
            except ValueError:
                number = None
            if number is None or str(number) != text.split(".")[0] or not 1 <= number <= SELF_NOT_APPLICABLE:
                problems.add(
                    f"Tool!{coordinate}",
                    f"{text[:40]!r} is not a choice of the tool (1-5, 6 not evaluated, 7 not applicable)",
                )
                continue
            path = f'$.category_answers["{key}"]'
            cells[path] = f"Tool!{coordinate}"
            cells[f"{path}.level"] = f"Tool!{coordinate}"
            if number == SELF_NOT_APPLICABLE:
                category_answers[key] = {
                    "applicability": Applicability.Level.NOT_APPLICABLE,
                    "reason": SELF_NOT_APPLICABLE_REASON,
                }
            elif number != SELF_NOT_EVALUATED:
                category_answers[key] = {"level": number}
    if not cells and not problems.items:
        problems.add("Tool!C13", "no category found (is this the self-assessment tool?)")
    if problems.items:
        raise ExchangeError(problems.items)
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_version": keys.version,
        "name": (_text(_input(ws, "E3")) or "Self-assessment from the PKI Consortium tool")[:200],
        "method": Assessment.Method.SELF,
        "category_answers": category_answers,
    }
    cells["$.name"] = "Tool!E3"
    return WorkbookData(kind="self", data=data, cells=cells)


def problems_with_cells(problems: list[str], cells: dict[str, str]) -> list[str]:
    """Exchange-check problems (named by path in the data) renamed by the cell the value came from."""
    named = []
    for problem in problems:
        path, _, message = problem.partition(": ")
        best = max((p for p in cells if path.startswith(p)), key=len, default=None)
        named.append(f"{cells[best]}: {message}" if best else problem)
    return named
