"""Checking exchange-format data (or the PKI Consortium tool's progress) against the format and the catalogue.

Every problem is collected with its path in the file, so that one attempt tells the user all that is wrong;
the result is a plan of the rows to create, which ``assessments/services/exchange.py`` writes.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from assessments.exchange import FORMAT, FORMAT_VERSION
from assessments.models import Applicability, Assessment, CategoryReview, Evidence
from assessments.services.exchange_files import ExchangeError
from catalog.models import Category, Extension, ExtensionRelevance, ModelVersion, Module, Requirement
from core.textrules import (
    COMMENT_MAX_LENGTH,
    LONG_TEXT_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    text_problem,
)

PKIC_SOURCE = "pkic-tool"
PKIC_MODEL_VERSION = "1.0.0"  # the model of the tool's published data; files are matched by their keys
PKIC_NOT_APPLICABLE_REASON = "Marked not applicable in the PKI Consortium tool"
PKIC_USE_CASE_NAME = "Use case (PKI Consortium tool)"

TOP_KEYS = {
    "format",
    "format_version",
    "model_version",
    "name",
    "method",
    "status",
    "signed_off",
    "assessor",
    "dates",
    "environment",
    "sampling_notes",
    "use_cases",
    "modules",
    "category_answers",
    "answers",
    "extensions",
    "extension_versions",
    "comments",
    "evidence",
    "assignments",
    "flags",
    "reviews",
    "sign_offs",
    "target_levels",
}
REQUIRED_TOP_KEYS = ("format", "format_version", "model_version", "name", "method")
ANSWER_KEYS = {"level", "notes", "carried_over", "updated_by", "updated_at"}
SCOPE_KEYS = {"applicability", "reason", "applicability_updated_by", "applicability_updated_at"}
PKIC_TOP_KEYS = {"assessmentName", "assessorName", "useCaseDescription", "progress"}
PKIC_ENTRY_KEYS = {"level", "result", "description", "applicability"}
SHA256 = re.compile(r"[0-9a-f]{64}")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _AnyKey:
    """``allowed`` for mappings whose keys are data (catalogue keys, extension ids), checked one by one."""

    def __contains__(self, key):
        return True


ANY_KEY = _AnyKey()


def _child(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if IDENTIFIER.fullmatch(str(key)):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(str(key))}]"


def _shown(value) -> str:
    """A value as the message quotes it: JSON, cut short."""
    try:
        shown = json.dumps(value, default=str, ensure_ascii=False)
    except (RecursionError, ValueError):
        shown = type(value).__name__
    return shown if len(shown) <= 60 else shown[:57] + "..."


@dataclass
class PlannedAnswer:
    level: int | None = None
    notes: str = ""
    carried_over: bool = False
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclass
class PlannedScope:
    level: str
    reason: str = ""
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclass
class ImportPlan:
    """A checked file, ready to be written."""

    model_version: ModelVersion
    fields: dict  # Assessment field values
    source: str = FORMAT
    signed_off_by: str = ""
    use_cases: list[dict] = field(default_factory=list)
    scope: dict[str, PlannedScope] = field(default_factory=dict)
    requirement_answers: dict[Requirement, PlannedAnswer] = field(default_factory=dict)
    category_answers: dict[Category, PlannedAnswer] = field(default_factory=dict)
    extensions: list[Extension] = field(default_factory=list)
    extension_answers: list[tuple[Extension, str, PlannedAnswer]] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    sign_offs: list[dict] = field(default_factory=list)
    target_levels: list[dict] = field(default_factory=list)
    detected_version: str = ""  # a PKI Consortium tool file: the version its keys gave away


def _published_layout(modules: dict[str, range]) -> frozenset[str]:
    return frozenset(f"{module}.{number}" for module, numbers in modules.items() for number in numbers)


# Category keys of the published 1.x versions (positions only): they tell a tool file's version even
# when that version is not imported yet. Named (2.0.0) keys are matched against the imported versions.
PUBLISHED_LAYOUTS = {
    "1.0.0": _published_layout({"G": range(1, 5), "M": range(5, 9), "O": range(9, 13), "R": range(13, 16)}),
    "1.1.0": _published_layout({"G": range(1, 6), "M": range(6, 10), "O": range(10, 14), "R": range(14, 17)}),
}


def pkic_version_detect(keys) -> tuple[str | None, str]:
    """(model version, "") for the category keys of a tool file, or (None, the reason in words).

    The version whose categories hold every key; of several, the one whose categories are exactly the
    keys (a complete file); otherwise the keys fit more than one version and the user has to say which."""
    keys = {key for key in keys if isinstance(key, str)}
    imported = {}
    for version, key in Category.objects.values_list("model_version__version", "key"):
        imported.setdefault(version, set()).add(key)
    if not keys:
        if imported:
            return max(imported, key=_version_key), ""
        return None, "no model version is imported yet"
    fits = sorted((v for v, layout in imported.items() if keys <= layout), key=_version_key)
    if len(fits) == 1:
        return fits[0], ""
    exact = [v for v in fits if imported[v] == keys]
    if len(exact) == 1:
        return exact[0], ""
    if fits:
        return None, (f"its categories fit PKIMM {' and '.join(fits)} alike; choose the model version of the file")
    published = [v for v, layout in PUBLISHED_LAYOUTS.items() if keys <= layout and v not in imported]
    if published:
        return None, (
            f"it was made for PKIMM {' or '.join(published)}, which is not imported here; import "
            f"pkimm-model-{published[0]}.yaml first (then move the result onto a newer version if you like)"
        )
    unknown = sorted(keys - set().union(*imported.values()), key=str) if imported else sorted(keys)
    shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
    return None, f"its categories ({shown}) belong to no imported model version"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


_PKIC_FIELDS = {
    "assessmentName": "Assessment name",
    "assessorName": "Assessor name",
    "useCaseDescription": "Use-case description",
    "progress": "Progress",
}
_PKIC_ENTRY_FIELDS = {"level": "level", "applicability": "applicability", "result": "result", "description": "text"}
_PKIC_PROBLEM_RE = re.compile(r'\A\$(?:\.(\w+))?(?:\["((?:[^"\\]|\\.)*)"\])?(?:\.(\w+))?: (.*)\Z', re.S)


def pkic_problem_in_words(problem: str, names: dict[str, str]) -> str:
    """A problem of a tool file as a sentence about what the user sees in the tool, not a JSONPath."""
    if problem.startswith("$: "):
        return problem[3:]
    match = _PKIC_PROBLEM_RE.match(problem)
    if not match:
        return problem
    top, key, field_name, message = match.groups()
    if key is not None:
        name = names.get(key, "")
        where = f"Category {key}" + (f" ({name})" if name else "")
        if field_name:
            where += f", {_PKIC_ENTRY_FIELDS.get(field_name, repr(field_name))}"
        return f"{where}: {message}"
    if top in _PKIC_FIELDS:
        return f"{_PKIC_FIELDS[top]}: {message}"
    if top is None:
        return f"The file: {message}"
    return f"The field {top!r}: {message}"


class _Reader:
    """Collects every problem of a file; each check returns a usable value even when it reports one."""

    def __init__(self):
        self.problems: list[str] = []
        self.model_version: ModelVersion | None = None
        self.modules: set[str] = set()
        self.categories: dict[str, Category] = {}
        self.requirements: dict[str, Requirement] = {}
        self.bare_ids: dict[str, str] = {}
        self.detected_version = ""

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    # -- generic values ---------------------------------------------------------------------------

    def mapping(self, path, value, allowed, required=()) -> dict:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.problem(path, f"expected an object, not {_shown(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.problem(_child(path, key), "unknown key")
        for key in required:
            if key not in value:
                self.problem(_child(path, key), "missing")
        return value

    def sequence(self, path, value) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"expected a list, not {_shown(value)}")
            return []
        return value

    def text(self, path, value, *, max_length=LONG_TEXT_MAX_LENGTH, required=False, single_line=False) -> str:
        """Text under the same rules as the forms (core.textrules): length, no NUL, control characters or
        unpaired surrogates; single-line fields (names, people) not even line breaks."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(path, f"expected text, not {_shown(value)}")
            return ""
        if required and not value.strip():
            self.problem(path, "must not be empty")
        if problem := text_problem(value, max_length=max_length, single_line=single_line):
            self.problem(path, problem)
            return ""
        return value

    def choice(self, path, value, choices, *, default=None) -> str:
        if value is None and default is not None:
            return default
        if value not in choices.values:
            allowed = ", ".join(choices.values)
            self.problem(path, f"{_shown(value)} is not one of {allowed}")
            return default or choices.values[0]
        return value

    def level(self, path, value) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"{_shown(value)} is not a level (a whole number 1-5)")
            return None
        if not 1 <= value <= 5:
            self.problem(path, f"{value} is outside 1-5")
            return None
        return value

    def boolean(self, path, value) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, not {_shown(value)}")
            return False
        return value

    def timestamp(self, path, value, *, required=False) -> datetime | None:
        if value is None:
            if required:
                self.problem(path, "missing")
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.problem(path, f"{_shown(value)} is not an ISO 8601 date and time")
                return None
        if not isinstance(value, datetime):
            self.problem(path, f"{_shown(value)} is not an ISO 8601 date and time")
            return None
        if value.tzinfo is None:
            self.problem(path, f"{value.isoformat()} has no time zone")
            return None
        return value

    def date(self, path, value) -> date | None:
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.problem(path, f"{_shown(value)} is not a date (YYYY-MM-DD)")
            return None

    def person(self, path, value, *, required=False) -> str:
        return self.text(path, value, max_length=254, required=required, single_line=True).strip()

    # -- catalogue keys ---------------------------------------------------------------------------

    def load_model(self, path, version) -> None:
        if not isinstance(version, str):
            self.problem(path, f'{_shown(version)} is not a model version (e.g. "1.1.0")')
            return
        self.model_version = ModelVersion.objects.filter(version=version).first()
        if self.model_version is None:
            self.problem(path, f"{version} is not imported")
            return
        self.modules = set(Module.objects.filter(model_version=self.model_version).values_list("code", flat=True))
        self.categories = {c.key: c for c in Category.objects.filter(model_version=self.model_version)}
        self.requirements = {
            r.key: r
            for r in Requirement.objects.filter(model_version=self.model_version).only("key", "code", "category_id")
        }
        # Model 2.0.0 names its items: a bare id ("sponsor-support") stands for its module-qualified key
        # ("G.strategy-and-vision.sponsor-support") when no other item of the version has that id.
        counts: dict[str, int] = {}
        named = [(c.code, c.key) for c in self.categories.values()] + [
            (r.code, r.key) for r in self.requirements.values()
        ]
        for code, _ in named:
            counts[code] = counts.get(code, 0) + 1
        self.bare_ids = {code: key for code, key in named if not code.isdigit() and counts[code] == 1}

    def qualified(self, key):
        """The module-qualified key of a bare 2.0.0 id; any other key as given."""
        return self.bare_ids.get(key, key) if isinstance(key, str) else key

    def _kind_of(self, key) -> str:
        if key in self.requirements:
            return "a requirement"
        if key in self.categories:
            return "a category"
        if key in self.modules:
            return "a module"
        return ""

    def key(self, path, key, wanted: str):
        """The catalogue item named ``key`` if it is a ``wanted`` ("module", "category", "requirement")."""
        if self.model_version is None:
            return None  # already reported: nothing to check keys against
        found = {"module": self.modules, "category": self.categories, "requirement": self.requirements}[wanted]
        if key in found:
            return found[key] if isinstance(found, dict) else key
        kind = self._kind_of(key)
        version = self.model_version.version
        if kind:
            self.problem(path, f"{key} is {kind}; only {wanted} keys belong here")
        else:
            self.problem(path, f"no such {wanted} in model {version}")
        return None

    def target(self, path, key, *, required=False):
        """A comment's, evidence's, flag's or assignment's requirement or category (or None: the assessment)."""
        if key is None:
            if required:
                self.problem(path, "missing (a category or requirement key)")
            return None
        if not isinstance(key, str):
            self.problem(path, f"{_shown(key)} is not a category or requirement key")
            return None
        if self.model_version is None:
            return None
        key = self.qualified(key)
        item = self.requirements.get(key) or self.categories.get(key)
        if item is None:
            self.problem(path, f"no such category or requirement in model {self.model_version.version}")
        return item

    # -- sections ---------------------------------------------------------------------------------

    def answer(self, path, entry) -> PlannedAnswer:
        return PlannedAnswer(
            level=self.level(_child(path, "level"), entry.get("level")),
            notes=self.text(_child(path, "notes"), entry.get("notes"), max_length=NOTES_MAX_LENGTH),
            carried_over=self.boolean(_child(path, "carried_over"), entry.get("carried_over")),
            updated_by=self.person(_child(path, "updated_by"), entry.get("updated_by")),
            updated_at=self.timestamp(_child(path, "updated_at"), entry.get("updated_at")),
        )

    def scope(self, path, entry) -> PlannedScope | None:
        if "applicability" not in entry:
            if any(key in entry for key in SCOPE_KEYS):
                self.problem(_child(path, "applicability"), "missing (the other scope fields need it)")
            return None
        return PlannedScope(
            level=self.choice(_child(path, "applicability"), entry["applicability"], Applicability.Level),
            reason=self.text(_child(path, "reason"), entry.get("reason")),
            updated_by=self.person(_child(path, "applicability_updated_by"), entry.get("applicability_updated_by")),
            updated_at=self.timestamp(_child(path, "applicability_updated_at"), entry.get("applicability_updated_at")),
        )

    def keyed_entries(self, path, section, wanted, allowed, required=()):
        """(key, catalogue item, path, entry) for each entry of a mapping keyed by catalogue keys."""
        seen: dict = {}
        for given, entry in self.mapping(path, section, ANY_KEY).items():
            entry_path = _child(path, given)
            key = self.qualified(given)
            if key in seen:
                self.problem(entry_path, f"names the same {wanted} as {seen[key]} ({key})")
                continue
            seen[key] = given
            item = self.key(entry_path, key, wanted)
            yield key, item, entry_path, self.mapping(entry_path, entry, allowed, required)


def _read_exchange(reader: _Reader, data: dict, plan_model_version: str | None) -> ImportPlan:
    data = reader.mapping("$", data, TOP_KEYS, REQUIRED_TOP_KEYS)
    if "format" in data and data["format"] != FORMAT:
        reader.problem("$.format", f"{_shown(data['format'])} is not {FORMAT}")
    if "format_version" in data and (
        type(data["format_version"]) is not int or data["format_version"] != FORMAT_VERSION
    ):
        reader.problem(
            "$.format_version",
            f"{_shown(data['format_version'])} is not supported (this application reads {FORMAT_VERSION})",
        )
    if "model_version" in data:
        reader.load_model("$.model_version", data["model_version"])
        if plan_model_version and plan_model_version != data["model_version"]:
            reader.problem(
                "$.model_version", f"the file is for model {data['model_version']}, not {plan_model_version}"
            )

    assessor = reader.mapping("$.assessor", data.get("assessor"), {"type", "name", "company"})
    dates = reader.mapping("$.dates", data.get("dates"), {"start", "target", "finish"})
    environment = reader.mapping("$.environment", data.get("environment"), {"design", "interactions"})
    signed_off = reader.mapping(
        "$.signed_off", data.get("signed_off"), {"at", "by"}, ("at",) if data.get("signed_off") else ()
    )
    fields = {
        "name": reader.text(
            "$.name", data.get("name"), max_length=NAME_MAX_LENGTH, required="name" in data, single_line=True
        ),
        "method": reader.choice("$.method", data.get("method"), Assessment.Method) if "method" in data else "",
        "status": reader.choice("$.status", data.get("status"), Assessment.Status, default=Assessment.Status.DRAFT),
        "assessor_type": reader.choice(
            "$.assessor.type", assessor.get("type"), Assessment.AssessorType, default=Assessment.AssessorType.INTERNAL
        ),
        "assessor_name": reader.text(
            "$.assessor.name", assessor.get("name"), max_length=NAME_MAX_LENGTH, single_line=True
        ),
        "assessor_company": reader.text(
            "$.assessor.company", assessor.get("company"), max_length=NAME_MAX_LENGTH, single_line=True
        ),
        "start_date": reader.date("$.dates.start", dates.get("start")),
        "target_date": reader.date("$.dates.target", dates.get("target")),
        "finish_date": reader.date("$.dates.finish", dates.get("finish")),
        "environment_design": reader.text("$.environment.design", environment.get("design")),
        "environment_interactions": reader.text("$.environment.interactions", environment.get("interactions")),
        "sampling_notes": reader.text("$.sampling_notes", data.get("sampling_notes")),
        "signed_off_at": reader.timestamp("$.signed_off.at", signed_off.get("at")),
    }
    plan = ImportPlan(model_version=reader.model_version, fields=fields)
    plan.signed_off_by = reader.person("$.signed_off.by", signed_off.get("by"))

    for index, use_case in enumerate(reader.sequence("$.use_cases", data.get("use_cases"))):
        path = f"$.use_cases[{index}]"
        use_case = reader.mapping(path, use_case, {"name", "description", "components", "out_of_scope"}, ("name",))
        plan.use_cases.append(
            {
                "name": reader.text(
                    _child(path, "name"),
                    use_case.get("name"),
                    max_length=NAME_MAX_LENGTH,
                    required=True,
                    single_line=True,
                ),
                "description": reader.text(_child(path, "description"), use_case.get("description")),
                "components": reader.text(_child(path, "components"), use_case.get("components")),
                "out_of_scope": reader.text(_child(path, "out_of_scope"), use_case.get("out_of_scope")),
                "position": index,
            }
        )

    modules = reader.keyed_entries("$.modules", data.get("modules"), "module", SCOPE_KEYS, ("applicability",))
    for key, _item, path, entry in modules:
        if "applicability" in entry:
            plan.scope[key] = reader.scope(path, entry)
    sections = (
        ("$.category_answers", "category", plan.category_answers),
        ("$.answers", "requirement", plan.requirement_answers),
    )
    for section, wanted, answers in sections:
        for key, item, path, entry in reader.keyed_entries(
            section, data.get(section[2:]), wanted, ANSWER_KEYS | SCOPE_KEYS
        ):
            answer = reader.answer(path, entry)
            if (scope := reader.scope(path, entry)) is not None:
                plan.scope[key] = scope
            if item is not None and (answer.level is not None or answer.notes or answer.carried_over):
                answers[item] = answer

    _read_extensions(reader, data, plan)
    _read_lists(reader, data, plan)
    targets = reader.keyed_entries(
        "$.target_levels", data.get("target_levels"), "category", {"level", "updated_by", "updated_at"}, ("level",)
    )
    for key, _item, path, entry in targets:
        level = reader.level(_child(path, "level"), entry.get("level"))
        if "level" in entry and level is None and entry["level"] is None:
            reader.problem(_child(path, "level"), "missing (a target is a level 1-5)")
        plan.target_levels.append(
            {
                "category_key": key,
                "level": level,
                "updated_by": reader.person(_child(path, "updated_by"), entry.get("updated_by")),
                "updated_at": reader.timestamp(_child(path, "updated_at"), entry.get("updated_at")),
            }
        )
    return plan


def _read_extensions(reader: _Reader, data: dict, plan: ImportPlan) -> None:
    answers = reader.mapping("$.extensions", data.get("extensions"), ANY_KEY)
    versions = reader.mapping("$.extension_versions", data.get("extension_versions"), ANY_KEY)
    for ext_id in versions:
        if ext_id not in answers:
            reader.problem(_child("$.extension_versions", ext_id), "the extension is not in $.extensions")
    available = {}
    for extension in Extension.objects.filter(ext_id__in=[key for key in answers if isinstance(key, str)]):
        available.setdefault(extension.ext_id, []).append(extension)
    chosen = {}
    for ext_id in answers:
        path = _child("$.extensions", ext_id)
        candidates = available.get(ext_id, [])
        if not candidates:
            reader.problem(path, f"the {ext_id} extension is not imported")
            continue
        version = versions.get(ext_id)
        if version is not None:
            extension = next((e for e in candidates if e.version == version), None)
            if extension is None:
                reader.problem(
                    _child("$.extension_versions", ext_id),
                    f"version {version} of the {ext_id} extension is not imported",
                )
                continue
        else:
            model_version = plan.model_version.version if plan.model_version else None
            compatible = [e for e in candidates if model_version is None or e.is_compatible_with(model_version)]
            extension = max(
                compatible or candidates, key=lambda e: tuple(int(p) for p in re.findall(r"\d+", e.version))
            )
        if plan.model_version and not extension.is_compatible_with(plan.model_version.version):
            reader.problem(
                path,
                f"version {extension.version} of the {ext_id} extension does not apply to model "
                f"{plan.model_version.version}",
            )
            continue
        chosen[ext_id] = extension
    questions = set(
        ExtensionRelevance.objects.filter(extension__in=chosen.values()).values_list("extension_id", "category_key")
    )
    for ext_id, section in answers.items():
        extension = chosen.get(ext_id)
        path = _child("$.extensions", ext_id)
        for key, item, entry_path, entry in reader.keyed_entries(path, section, "category", ANSWER_KEYS):
            answer = reader.answer(entry_path, entry)
            if extension is None or item is None:
                continue
            if (extension.pk, key) not in questions:
                reader.problem(entry_path, f"the {ext_id} extension asks no question for {key}")
            elif answer.level is not None or answer.notes or answer.carried_over:
                plan.extension_answers.append((extension, key, answer))
    plan.extensions = list(chosen.values())


def _read_lists(reader: _Reader, data: dict, plan: ImportPlan) -> None:
    def items(name, allowed, required=()):
        for index, item in enumerate(reader.sequence(f"$.{name}", data.get(name))):
            path = f"$.{name}[{index}]"
            yield path, reader.mapping(path, item, allowed, required)

    for path, c in items("comments", {"target", "author", "body", "created_at"}, ("body",)):
        plan.comments.append(
            {
                "target": reader.target(_child(path, "target"), c.get("target")),
                "author": reader.person(_child(path, "author"), c.get("author")),
                "body": reader.text(
                    _child(path, "body"), c.get("body"), max_length=COMMENT_MAX_LENGTH, required="body" in c
                ),
                "created_at": reader.timestamp(_child(path, "created_at"), c.get("created_at")),
            }
        )

    evidence_keys = {
        "target",
        "kind",
        "url",
        "title",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "created_at",
    }
    for path, e in items("evidence", evidence_keys, ("kind",)):
        kind = reader.choice(_child(path, "kind"), e.get("kind"), Evidence.Kind, default=None) if "kind" in e else ""
        url = reader.text(_child(path, "url"), e.get("url"), max_length=1000)
        if url:
            try:
                URLValidator()(url)
            except ValidationError:
                reader.problem(_child(path, "url"), f"{_shown(url)} is not a valid URL")
        elif kind == Evidence.Kind.LINK:
            reader.problem(_child(path, "url"), "a link needs a URL")
        size = e.get("size") or 0
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size < 2**63:
            reader.problem(_child(path, "size"), f"{_shown(size)} is not a size in bytes")
            size = 0
        sha256 = reader.text(_child(path, "sha256"), e.get("sha256"))
        if sha256 and not SHA256.fullmatch(sha256):
            reader.problem(_child(path, "sha256"), "not a SHA-256 digest (64 lower-case hex digits)")
        plan.evidence.append(
            {
                "target": reader.target(_child(path, "target"), e.get("target")),
                "kind": kind,
                "url": url,
                "title": reader.text(_child(path, "title"), e.get("title"), max_length=255),
                "original_name": reader.text(_child(path, "original_name"), e.get("original_name"), max_length=255),
                "content_type": reader.text(_child(path, "content_type"), e.get("content_type"), max_length=100),
                "size": size,
                "sha256": sha256,
                "uploaded_by": reader.person(_child(path, "uploaded_by"), e.get("uploaded_by")),
                "created_at": reader.timestamp(_child(path, "created_at"), e.get("created_at")),
            }
        )

    assigned = set()
    for path, a in items(
        "assignments", {"target", "assignee", "due_date", "assigned_by", "created_at"}, ("target", "assignee")
    ):
        target = reader.target(_child(path, "target"), a.get("target"), required="target" in a)
        if target is not None:
            if target.key in assigned:
                reader.problem(_child(path, "target"), f"{target.key} is assigned twice")
            assigned.add(target.key)
        plan.assignments.append(
            {
                "target": target,
                "assignee": reader.person(_child(path, "assignee"), a.get("assignee"), required="assignee" in a),
                "due_date": reader.date(_child(path, "due_date"), a.get("due_date")),
                "assigned_by": reader.person(_child(path, "assigned_by"), a.get("assigned_by")),
                "created_at": reader.timestamp(_child(path, "created_at"), a.get("created_at")),
            }
        )

    flag_keys = {"target", "note", "raised_by", "created_at", "resolved_by", "resolved_at"}
    for path, f in items("flags", flag_keys, ("target",)):
        plan.flags.append(
            {
                "target": reader.target(_child(path, "target"), f.get("target"), required="target" in f),
                "note": reader.text(_child(path, "note"), f.get("note"), max_length=500),
                "raised_by": reader.person(_child(path, "raised_by"), f.get("raised_by")),
                "created_at": reader.timestamp(_child(path, "created_at"), f.get("created_at")),
                "resolved_by": reader.person(_child(path, "resolved_by"), f.get("resolved_by")),
                "resolved_at": reader.timestamp(_child(path, "resolved_at"), f.get("resolved_at")),
            }
        )

    review_keys = {"status", "comment", "reviewed_by", "reviewed_at"}
    for _key, category, path, r in reader.keyed_entries("$.reviews", data.get("reviews"), "category", review_keys):
        status = reader.choice(
            _child(path, "status"), r.get("status"), CategoryReview.Status, default=CategoryReview.Status.PENDING
        )
        plan.reviews.append(
            {
                "category": category,
                "status": status,
                "comment": reader.text(_child(path, "comment"), r.get("comment")),
                "reviewed_by": reader.person(_child(path, "reviewed_by"), r.get("reviewed_by")),
                "reviewed_at": reader.timestamp(_child(path, "reviewed_at"), r.get("reviewed_at")),
            }
        )

    sign_off_keys = {
        "signed_by",
        "signed_by_label",
        "signed_at",
        "statement",
        "snapshot",
        "reopened_by",
        "reopened_at",
        "reopen_reason",
    }
    for path, s in items("sign_offs", sign_off_keys, ("signed_by", "signed_at", "statement")):
        snapshot = s.get("snapshot") or {}
        if not isinstance(snapshot, dict):
            reader.problem(_child(path, "snapshot"), "expected an object")
            snapshot = {}
        signed_by = reader.person(_child(path, "signed_by"), s.get("signed_by"), required="signed_by" in s)
        plan.sign_offs.append(
            {
                "signed_by": signed_by,
                "signed_by_label": reader.text(
                    _child(path, "signed_by_label"), s.get("signed_by_label"), max_length=254
                )
                or signed_by,
                "signed_at": reader.timestamp(_child(path, "signed_at"), s.get("signed_at"), required="signed_at" in s),
                "statement": reader.text(_child(path, "statement"), s.get("statement"), required="statement" in s),
                "snapshot": snapshot,
                "reopened_by": reader.person(_child(path, "reopened_by"), s.get("reopened_by")),
                "reopened_at": reader.timestamp(_child(path, "reopened_at"), s.get("reopened_at")),
                "reopen_reason": reader.text(_child(path, "reopen_reason"), s.get("reopen_reason")),
            }
        )


def _pkic_to_exchange(reader: _Reader, data: dict, model_version: str | None) -> dict:
    """The PKI Consortium tool's progress (progress.yaml or share link) as exchange-format data."""
    data = reader.mapping("$", data, PKIC_TOP_KEYS, ("progress",))
    progress = data.get("progress")
    version = model_version
    if not version:
        version, reason = pkic_version_detect(progress.keys() if isinstance(progress, dict) else ())
        if version is None:
            reader.problem("$", f"The model version of this file cannot be told: {reason}.")
            return {}
        reader.detected_version = version
    reader.load_model("--model-version" if model_version else "model version", version)
    name = reader.text(
        "$.assessmentName", data.get("assessmentName"), max_length=NAME_MAX_LENGTH, single_line=True
    ).strip()
    category_answers = {}
    for key, entry in reader.mapping("$.progress", data.get("progress"), ANY_KEY).items():
        path = _child("$.progress", key)
        reader.key(path, key, "category")
        entry = reader.mapping(path, entry, PKIC_ENTRY_KEYS)
        level = entry.get("level", 0)
        if isinstance(level, bool) or not isinstance(level, int) or not -1 <= level <= 5:
            reader.problem(_child(path, "level"), f"{_shown(level)} is not a level of the tool (-1 to 5)")
            level = 0
        applicable = entry.get("applicability", True)
        if not isinstance(applicable, bool):
            reader.problem(_child(path, "applicability"), f"expected true or false, not {_shown(applicable)}")
            applicable = True
        answer = {}
        if level >= 1:
            answer["level"] = level
        if level == -1 or not applicable:
            answer.update(applicability=Applicability.Level.NOT_APPLICABLE, reason=PKIC_NOT_APPLICABLE_REASON)
        if answer:
            category_answers[key] = answer
    use_case = reader.text("$.useCaseDescription", data.get("useCaseDescription"))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_version": version,
        "name": name or "Self-assessment from the PKI Consortium tool",
        "method": Assessment.Method.SELF,
        "assessor": {
            "name": reader.text(
                "$.assessorName", data.get("assessorName"), max_length=NAME_MAX_LENGTH, single_line=True
            )
        },
        "use_cases": [{"name": PKIC_USE_CASE_NAME, "description": use_case}] if use_case.strip() else [],
        "category_answers": category_answers,
    }


def exchange_data_check(*, data: Any, model_version: str | None = None) -> ImportPlan:
    """Check ``data`` completely; raise ExchangeError listing every problem, or return the plan to write."""
    reader = _Reader()
    source = FORMAT
    if isinstance(data, dict) and "format" not in data and "progress" in data:
        source = PKIC_SOURCE
        data = _pkic_to_exchange(reader, data, model_version)
        model_version = None  # applied by the conversion
        if reader.problems:
            names = {key: category.name for key, category in reader.categories.items()}
            raise ExchangeError([pkic_problem_in_words(problem, names) for problem in reader.problems])
    elif isinstance(data, dict) and "format" not in data:
        raise ExchangeError(["$.format: missing (neither a PKIMM assessment file nor a PKI Consortium tool file)"])
    plan = _read_exchange(reader, data, model_version)
    if reader.problems:
        raise ExchangeError(reader.problems)
    plan.source = source
    plan.detected_version = reader.detected_version
    return plan
