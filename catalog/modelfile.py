"""Reading and checking the PKI Consortium's model and extension files, without touching the database.

``parse_model_file`` and ``parse_extension_file`` turn the YAML text into plain dataclasses or raise
``CatalogFileError`` listing every problem with its place in the file (``modules[1].categories[0].weight``).
The checks stand alone (the application needs only the YAML); they accept every file the official JSON
schemas accept that also makes sense to score, and are stricter where scoring needs it: weights are
positive, each category describes levels 1-5 exactly once, ids are unique.
"""

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import yaml

from catalog.errors import CatalogFileError
from core.problems import Problem
from core.textrules import (
    LONG_TEXT_MAX_LENGTH,
    MAX_NUMBER_CHARS,
    BoundedYamlMixin,
    strings_problem_at,
    text_problem,
)
from core.yaml_loading import FastSafeLoader, yaml_load_plain

# Model files: the schema version decides the shape of ids, references and level names (see _ModelShape).
SUPPORTED_SCHEMA_VERSIONS = ("1.0.0", "2.0.0")
# Extension files: schema 1.0.0 was republished with kebab-case ids and reference lists under the same version,
# so both shapes are read under it.
EXTENSION_SCHEMA_VERSIONS = ("1.0.0",)
MODULE_NAMES = {"G": "Governance", "M": "Management", "O": "Operations", "R": "Resources"}
OVERLAY_KINDS = ("multiplier", "addition", "override")
LEVEL_NUMBERS = (1, 2, 3, 4, 5)
MAX_FILE_BYTES = 5 * 1024 * 1024

_VERSION_RE = re.compile(r"\A[0-9]+\.[0-9]+\.[0-9]+\Z")
_DIGITS_RE = re.compile(r"\A[0-9]{1,9}\Z")
_SLUG_RE = re.compile(r"\A[a-z][a-z0-9-]{0,79}\Z")
_ID_RE = re.compile(r"\A(?:[0-9]{1,9}|[a-z][a-z0-9-]{0,79})\Z")  # extension files: either shape
_REGION_RE = re.compile(r"\A[A-Z][A-Z0-9-]{0,19}\Z")
_LEVEL_NAME_PREFIX_RE = re.compile(r"\A[1-5]\s*-\s*")
_EXTENSION_ID_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,59}\Z")
_URL_RE = re.compile(r"\Ahttps?://\S+\Z")

# Lengths of the database columns the values end up in.
_MAX_VERSION = 20
_MAX_CATEGORY_NAME = 200
_MAX_REQUIREMENT_TITLE = 300
_MAX_EXTENSION_NAME = 200
_MAX_URL = 200
_MAX_WEIGHT = 32767
_MAX_VALUE_TEXT = 40


@dataclass(frozen=True)
class LevelSpec:
    number: int
    name: str
    description: str

    def as_dict(self) -> dict:
        return {"number": self.number, "name": self.name, "description": self.description}


@dataclass(frozen=True)
class _ModelShape:
    """What one model schema version says about ids, references and level names."""

    id_pattern: re.Pattern
    id_hint: str
    reference_ids: bool  # references are a list of catalogue ids (else one Markdown string)
    level_names: tuple[str, ...] | None  # the only names a level may have (None: any)


MODEL_SHAPES = {
    "1.0.0": _ModelShape(_DIGITS_RE, ' (expected digits such as "3")', False, None),
    "2.0.0": _ModelShape(
        _SLUG_RE,
        ' (expected a lower-case id such as "sponsor-support")',
        True,
        ("Initial", "Foundational", "Advanced", "Managed", "Optimized"),
    ),
}


def plain_level_name(name: str) -> str:
    """ "2 - Basic" (1.x) and "Foundational" (2.0.0) without the number prefix: "Basic", "Foundational"."""
    return _LEVEL_NAME_PREFIX_RE.sub("", name.strip())


@dataclass(frozen=True)
class RequirementSpec:
    code: str
    weight: int
    title: str
    guidance: str
    assessment_hints: str
    references: str  # 1.x: Markdown; 2.0.0: empty (see reference_ids)
    reference_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    description: str
    weight: int
    levels: tuple[LevelSpec, ...]
    requirements: tuple[RequirementSpec, ...]


@dataclass(frozen=True)
class ModuleSpec:
    code: str
    name: str
    description: str
    categories: tuple[CategorySpec, ...]


@dataclass(frozen=True)
class ModelFileSpec:
    schema_version: str
    version: str
    modules: tuple[ModuleSpec, ...]
    sha256: str

    @property
    def category_count(self) -> int:
        return sum(len(module.categories) for module in self.modules)

    @property
    def requirement_count(self) -> int:
        return sum(len(category.requirements) for module in self.modules for category in module.categories)

    def weights(self) -> dict[str, int]:
        """Every module, category and requirement key with its weight: what scoring depends on."""
        result = {}
        for module in self.modules:
            result[module.code] = 0
            for category in module.categories:
                result[f"{module.code}.{category.code}"] = category.weight
                for requirement in category.requirements:
                    result[f"{module.code}.{category.code}.{requirement.code}"] = requirement.weight
        return result

    def summary(self) -> str:
        return f"{len(self.modules)} modules, {self.category_count} categories, {self.requirement_count} requirements"

    def reference_uses(self) -> list[tuple[str, str]]:
        """(requirement key, reference id) for every catalogue reference the model cites."""
        return [
            (f"{module.code}.{category.code}.{requirement.code}", reference_id)
            for module in self.modules
            for category in module.categories
            for requirement in category.requirements
            for reference_id in requirement.reference_ids
        ]

    def level_names(self) -> dict[int, str]:
        """The names this version gives the levels (from its first category), without number prefixes."""
        for module in self.modules:
            for category in module.categories:
                if category.levels:
                    return {level.number: plain_level_name(level.name) for level in category.levels}
        return {}


@dataclass(frozen=True)
class RelevanceSpec:
    path: str  # place in the file, for messages about unknown categories
    module_code: str
    category_code: str
    weight: int
    guidance: str
    assessment_hints: str
    references: str  # Markdown (older files) or "" with reference_ids
    levels: tuple[LevelSpec, ...]
    reference_ids: tuple[str, ...] = ()

    @property
    def category_key(self) -> str:
        return f"{self.module_code}.{self.category_code}"


@dataclass(frozen=True)
class OverlaySpec:
    path: str
    # The item the overlay adjusts: the file nests requirement overlays under their category's.
    item_kind: str  # "category" or "requirement"
    item_key: str  # "G.1" or "G.1.1"
    kind: str  # multiplier, addition, override
    value: str  # exact decimal text, e.g. "1.5"
    rationale: str


@dataclass(frozen=True)
class ExtensionFileSpec:
    schema_version: str
    ext_id: str
    name: str
    version: str
    description: str
    documentation_url: str
    compatibility: tuple[str, ...]
    floor_score: bool
    relevances: tuple[RelevanceSpec, ...]
    overlays: tuple[OverlaySpec, ...]
    sha256: str
    references: tuple[dict, ...] = ()  # the file's own reference entries (ReferenceSpec.as_dict())

    def summary(self) -> str:
        return (
            f"{len(self.relevances)} relevance questions, {len(self.overlays)} overlays; "
            f"compatible with {', '.join(self.compatibility)}"
        )


def parse_model_file(text: str | bytes, *, source_name: str) -> ModelFileSpec:
    data, sha256 = _load(text, source_name)
    checker = _Checker()
    spec = checker.model(data, sha256)
    if checker.problems:
        raise CatalogFileError(source_name, checker.problems)
    return spec


def parse_extension_file(text: str | bytes, *, source_name: str) -> ExtensionFileSpec:
    data, sha256 = _load(text, source_name)
    checker = _Checker()
    spec = checker.extension(data, sha256)
    if checker.problems:
        raise CatalogFileError(source_name, checker.problems)
    return spec


@dataclass(frozen=True)
class ReferencesFileSpec:
    schema_version: str
    version: str
    entries: tuple[dict, ...]  # id, title, authority, url, regions, deprecated, superseded_by
    sha256: str

    def summary(self) -> str:
        deprecated = sum(1 for entry in self.entries if entry["deprecated"])
        return f"{len(self.entries)} references ({deprecated} deprecated)"


REFERENCES_SCHEMA_VERSIONS = ("1.0.0",)


def parse_references_file(text: str | bytes, *, source_name: str) -> ReferencesFileSpec:
    """The PKI Consortium's references catalogue (``pkimm-references.yaml``)."""
    data, sha256 = _load(text, source_name)
    refuse_bad_strings(data, source_name)
    checker = _Checker()
    spec = None
    if checker.mapping(data, "") is not None:
        schema_version = checker.schema_version(data, REFERENCES_SCHEMA_VERSIONS)
        version = checker.version(data, "version", "")
        entries = checker.reference_entries(data, "")
        for unknown in sorted(set(data) - {"schemaVersion", "version", "references"}, key=str):
            checker.add(str(unknown), "is not a field of a references catalogue")
        spec = ReferencesFileSpec(schema_version, version, tuple(entries), sha256)
    if checker.problems:
        raise CatalogFileError(source_name, checker.problems)
    return spec


# --- YAML ---------------------------------------------------------------------------------------


class _Loader(BoundedYamlMixin, FastSafeLoader):
    """``safe_load`` with these changes: numbers with a fraction stay exact (Decimal), a key given twice
    in one mapping is an error instead of silently winning, anchors/aliases are refused (they
    let a small file expand into a huge tree), and numbers are bounded (core.textrules; nesting by
    yaml_load_plain)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int) and key in seen:
                raise yaml.MarkedYAMLError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_decimal(loader, node):
    if len(str(node.value)) > MAX_NUMBER_CHARS:  # before any conversion: "1e999999999" would be huge as text
        raise yaml.MarkedYAMLError(
            None, None, f"a number of {len(node.value):,} characters (at most {MAX_NUMBER_CHARS})", node.start_mark
        )
    try:
        return Decimal(loader.construct_scalar(node).replace("_", ""))
    except InvalidOperation:  # .inf, .nan and YAML 1.1 base-60 numbers: PyYAML knows how to read them
        return Decimal(repr(yaml.SafeLoader.construct_yaml_float(loader, node)))


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_Loader.add_constructor("tag:yaml.org,2002:int", BoundedYamlMixin.construct_yaml_int)


def refuse_bad_strings(data, source_name: str) -> None:
    """Every string and key of a file whose texts are stored as read (references, profiles): the importers'
    character rules and the long-text length, the first problem named by its path."""
    if found := strings_problem_at(data, max_length=LONG_TEXT_MAX_LENGTH):
        raise CatalogFileError(source_name, [Problem(*found)])


def _load(text: str | bytes, source_name: str):
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if len(raw) > MAX_FILE_BYTES:
        raise CatalogFileError(source_name, [Problem("(file)", f"is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")])
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogFileError(source_name, [Problem(f"byte {exc.start}", "the file is not UTF-8 text")]) from None
    try:
        data = yaml_load_plain(decoded, _Loader, aliases_message="anchors and aliases are not supported")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        what = ": ".join(part for part in (exc.context, exc.problem) if part)
        raise CatalogFileError(source_name, [Problem(where, f"malformed YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise CatalogFileError(source_name, [Problem("(file)", f"malformed YAML: {exc}")]) from None
    return data, hashlib.sha256(raw).hexdigest()


# --- checks -------------------------------------------------------------------------------------


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, Decimal | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _as_integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)  # "2.0" is an integer for JSON Schema too
    return None


def _decimal_text(value) -> str:
    return format(Decimal(value), "f")


_EXTENSION_ID_HINT = ' (expected digits such as "3" or a lower-case id such as "sponsor-support")'


class _Checker:
    def __init__(self):
        self.problems: list[Problem] = []
        self.shape = MODEL_SHAPES["1.0.0"]

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path or "(top level)", message))

    # Typed field access: the value, or None after recording why it is unusable.

    def _field(self, data: dict, key: str, path: str, required: bool):
        where = _join(path, key)
        if key not in data:
            if required:
                self.add(where, "is required but missing")
            return where, None, False
        return where, data[key], True

    def string(self, data, key, path, *, required=True, max_length=None, pattern=None, hint=""):
        where, value, present = self._field(data, key, path, required)
        if not present:
            return None
        return self.string_value(value, where, max_length=max_length, pattern=pattern, hint=hint)

    def string_value(self, value, where, *, max_length=None, pattern=None, hint=""):
        if not isinstance(value, str):
            quote = " (put it in quotes)" if isinstance(value, int | Decimal) and not isinstance(value, bool) else ""
            self.add(where, f"must be a string, not {_describe(value)}{quote}")
            return None
        if max_length is not None and len(value.strip()) > max_length:
            self.add(where, f"is longer than {max_length} characters")
            return None
        if problem := text_problem(value, max_length=LONG_TEXT_MAX_LENGTH):
            self.add(where, problem)
            return None
        if pattern is not None and not pattern.match(value):
            self.add(where, f"{value!r} is not valid{hint}")
            return None
        return value

    def integer(self, data, key, path, *, minimum=None, maximum=None):
        where, value, present = self._field(data, key, path, True)
        if not present:
            return None
        number = _as_integer(value)
        if number is None:
            shown = f" ({value})" if isinstance(value, Decimal | str) else ""
            self.add(where, f"must be an integer, not {_describe(value)}{shown}")
            return None
        if minimum is not None and number < minimum:
            self.add(where, f"must be at least {minimum}, not {number}")
            return None
        if maximum is not None and number > maximum:
            self.add(where, f"must be at most {maximum}, not {number}")
            return None
        return number

    def number(self, data, key, path, *, minimum=None):
        where, value = _join(path, key), data[key]
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.add(where, f"must be a number, not {_describe(value)}")
            return None
        if not Decimal(value).is_finite():
            self.add(where, f"must be a finite number, not {value}")
            return None
        if abs(Decimal(value).adjusted()) > _MAX_VALUE_TEXT:  # before writing it out digit by digit
            self.add(where, f"has more than {_MAX_VALUE_TEXT} digits")
            return None
        if minimum is not None and value < minimum:
            self.add(where, f"must be at least {minimum}, not {value}")
            return None
        text = _decimal_text(value)
        if len(text) > _MAX_VALUE_TEXT:
            self.add(where, f"has more than {_MAX_VALUE_TEXT} digits")
            return None
        return text

    def boolean(self, data, key, path, *, default):
        where, value, present = self._field(data, key, path, False)
        if not present:
            return default
        if not isinstance(value, bool):
            self.add(where, f"must be true or false, not {_describe(value)}")
            return default
        return value

    def mapping(self, value, path) -> dict | None:
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping, not {_describe(value)}")
            return None
        return value

    def sequence(self, data, key, path, *, required=True, non_empty=True, max_items=None) -> list:
        where, value, present = self._field(data, key, path, required)
        if not present:
            return []
        if not isinstance(value, list):
            self.add(where, f"must be a list, not {_describe(value)}")
            return []
        if non_empty and not value:
            self.add(where, "must not be empty")
        if max_items is not None and len(value) > max_items:
            self.add(where, f"must have at most {max_items} entries")
        return value

    def unique(self, seen: dict, value, where: str, what: str) -> bool:
        if value is None:
            return False
        if value in seen:
            self.add(where, f"duplicate {what} {value!r} (already used at {seen[value]})")
            return False
        seen[value] = where
        return True

    def schema_version(self, data, supported=SUPPORTED_SCHEMA_VERSIONS):
        value = self.string(data, "schemaVersion", "")
        if value is not None and value not in supported:
            self.add("schemaVersion", f"schema version {value!r} is not supported (supported: {', '.join(supported)})")
            return None
        return value

    def version(self, data, key, path):
        return self.string(
            data, key, path, max_length=_MAX_VERSION, pattern=_VERSION_RE, hint=" (expected a version such as 1.1.0)"
        )

    def levels(self, data, path, allowed_names=None) -> tuple[LevelSpec, ...]:
        where = _join(path, "levels")
        items = self.sequence(data, "levels", path)
        found: dict[int, str] = {}
        levels = []
        usable = True
        for index, item in enumerate(items):
            item_path = f"{where}[{index}]"
            if self.mapping(item, item_path) is None:
                usable = False
                continue
            number = self.integer(item, "number", item_path)
            name = self.string(item, "name", item_path, max_length=100)
            description = self.string(item, "description", item_path)
            if number is not None and number not in LEVEL_NUMBERS:
                self.add(f"{item_path}.number", f"level number {number} is outside 1-5")
                number = None
            if number is not None and not self.unique(found, number, f"{item_path}.number", "level number"):
                number = None
            if name is not None and allowed_names is not None and name.strip() not in allowed_names:
                self.add(
                    f"{item_path}.name", f"{name!r} is not a level name of this schema ({', '.join(allowed_names)})"
                )
                name = None
            if None in (number, name, description):
                usable = False
                continue
            levels.append(LevelSpec(number, name.strip(), description))
        missing = [str(number) for number in LEVEL_NUMBERS if number not in found]
        if items and usable and missing:
            self.add(where, f"must describe each of the levels 1-5 exactly once; missing: {', '.join(missing)}")
        return tuple(sorted(levels, key=lambda level: level.number))

    # The model file.

    def model(self, data, sha256: str) -> ModelFileSpec | None:
        if self.mapping(data, "") is None:
            return None
        schema_version = self.schema_version(data)
        if schema_version is None and "schemaVersion" in data:
            return None  # an unknown schema: its ids cannot be read; the reason is recorded
        self.shape = MODEL_SHAPES.get(schema_version, MODEL_SHAPES["1.0.0"])
        version = self.version(data, "version", "")
        modules = []
        module_ids: dict = {}
        category_ids: dict = {}
        for index, item in enumerate(self.sequence(data, "modules", "")):
            module = self.model_module(item, f"modules[{index}]", module_ids, category_ids)
            if module is not None:
                modules.append(module)
        return ModelFileSpec(schema_version, version, tuple(modules), sha256)

    def model_module(self, item, path, module_ids, category_ids) -> ModuleSpec | None:
        if self.mapping(item, path) is None:
            return None
        code = self.string(item, "id", path, pattern=re.compile(r"\A[GMOR]\Z"), hint=" (expected G, M, O or R)")
        self.unique(module_ids, code, f"{path}.id", "module id")
        name = self.string(item, "name", path)
        if code is not None and name is not None and name != MODULE_NAMES[code]:
            self.add(f"{path}.name", f"module {code} must be named {MODULE_NAMES[code]!r}, not {name!r}")
        description = self.string(item, "description", path)
        categories = []
        for index, category in enumerate(self.sequence(item, "categories", path)):
            spec = self.model_category(category, f"{path}.categories[{index}]", category_ids)
            if spec is not None:
                categories.append(spec)
        return ModuleSpec(code, name, description, tuple(categories))

    def model_category(self, item, path, category_ids) -> CategorySpec | None:
        if self.mapping(item, path) is None:
            return None
        # Category ids are unique across the whole version: scoring and extensions refer to "G.1" and "1" alike.
        code = self.string(item, "id", path, pattern=self.shape.id_pattern, hint=self.shape.id_hint)
        self.unique(category_ids, code, f"{path}.id", "category id")
        weight = self.integer(item, "weight", path, minimum=1, maximum=_MAX_WEIGHT)
        name = self.string(item, "name", path, max_length=_MAX_CATEGORY_NAME)
        description = self.string(item, "description", path)
        levels = self.levels(item, path, self.shape.level_names)
        requirements = []
        requirement_ids: dict = {}
        for index, requirement in enumerate(self.sequence(item, "requirements", path)):
            spec = self.model_requirement(requirement, f"{path}.requirements[{index}]", requirement_ids)
            if spec is not None:
                requirements.append(spec)
        return CategorySpec(code, name and name.strip(), description, weight, levels, tuple(requirements))

    def model_requirement(self, item, path, requirement_ids) -> RequirementSpec | None:
        if self.mapping(item, path) is None:
            return None
        code = self.string(item, "id", path, pattern=self.shape.id_pattern, hint=self.shape.id_hint)
        self.unique(requirement_ids, code, f"{path}.id", "requirement id")
        weight = self.integer(item, "weight", path, minimum=1, maximum=_MAX_WEIGHT)
        title = self.string(item, "description", path, max_length=_MAX_REQUIREMENT_TITLE)
        guidance = self.string(item, "guidance", path)
        assessment = self.string(item, "assessment", path)
        if self.shape.reference_ids:
            return RequirementSpec(
                code, weight, title and title.strip(), guidance, assessment, "", self.reference_ids(item, path)
            )
        references = self.string(item, "references", path)
        return RequirementSpec(code, weight, title and title.strip(), guidance, assessment, references)

    def reference_ids(self, item, path, *, required=True) -> tuple[str, ...]:
        """A list of reference catalogue ids, each once."""
        ids: dict = {}
        for index, entry in enumerate(
            self.sequence(item, "references", path, required=required, non_empty=False, max_items=200)
        ):
            where = f"{_join(path, 'references')}[{index}]"
            value = self.string_value(entry, where, pattern=_SLUG_RE, hint=' (expected an id such as "rfc-5280")')
            self.unique(ids, value, where, "reference id")
        return tuple(ids)

    def references_either(self, item, path) -> tuple[str, tuple[str, ...]]:
        """Extension relevance references: Markdown text (older files) or a list of ids (newer ones)."""
        if isinstance(item.get("references"), list):
            return "", self.reference_ids(item, path)
        return self.string(item, "references", path), ()

    def reference_entries(self, data, path) -> list[dict]:
        """Entries of a references catalogue (or of an extension's own ``references`` block)."""
        entries = []
        ids: dict = {}
        items = self.sequence(data, "references", path, required=path == "", non_empty=False, max_items=5000)
        for index, item in enumerate(items):
            where = f"{_join(path, 'references')}[{index}]"
            if self.mapping(item, where) is None:
                continue
            ref_id = self.string(item, "id", where, pattern=_SLUG_RE, hint=' (expected an id such as "rfc-5280")')
            self.unique(ids, ref_id, f"{where}.id", "reference id")
            title = self.string(item, "title", where, max_length=500)
            authority = self.string(item, "authority", where, required=False, max_length=200) or ""
            url = self.string(
                item, "url", where, required=False, max_length=500, pattern=_URL_RE, hint=" (an http(s) URL)"
            )
            regions = []
            for region_index, region in enumerate(
                self.sequence(item, "regions", where, required=False, non_empty=False, max_items=300)
            ):
                checked = self.string_value(
                    region, f"{where}.regions[{region_index}]", pattern=_REGION_RE, hint=" (e.g. US, EU, GLOBAL)"
                )
                if checked:
                    regions.append(checked)
            deprecated = self.boolean(item, "deprecated", where, default=False)
            successor = self.string(item, "supersededBy", where, required=False, pattern=_SLUG_RE, hint="") or ""
            allowed = {"id", "title", "authority", "url", "regions", "deprecated", "supersededBy"}
            for unknown in sorted(set(item) - allowed, key=str):
                self.add(f"{where}.{unknown}", "is not a field of a reference entry")
            if ref_id and title:
                entries.append(
                    {
                        "id": ref_id,
                        "title": title.strip(),
                        "authority": authority.strip(),
                        "url": url or "",
                        "regions": regions,
                        "deprecated": deprecated,
                        "superseded_by": successor,
                    }
                )
        known = {entry["id"] for entry in entries}
        for index, entry in enumerate(entries):
            if entry["superseded_by"] and entry["superseded_by"] not in known:
                self.add(
                    f"{_join(path, 'references')}[{index}].supersededBy",
                    f"{entry['superseded_by']!r} is not an id of this list",
                )
        return entries

    # The extension file.

    def extension(self, data, sha256: str) -> ExtensionFileSpec | None:
        if self.mapping(data, "") is None:
            return None
        schema_version = self.schema_version(data, EXTENSION_SCHEMA_VERSIONS)
        if "extension" not in data:
            self.add("extension", "is required but missing")
            metadata = None
        else:
            metadata = self.extension_metadata(data["extension"])
        relevances = self.relevance(data)
        overlays = self.overlays(data)
        references = self.reference_entries(data, "references") if "references" in data else []
        if metadata is None:
            return None
        return ExtensionFileSpec(
            schema_version=schema_version,
            **metadata,
            relevances=tuple(relevances),
            overlays=tuple(overlays),
            sha256=sha256,
            references=tuple(references),
        )

    def extension_metadata(self, value) -> dict | None:
        meta = self.mapping(value, "extension")
        if meta is None:
            return None
        ext_id = self.string(
            meta, "id", "extension", pattern=_EXTENSION_ID_RE, hint=" (letters, digits, '-', '_' or '.')"
        )
        name = self.string(meta, "name", "extension", max_length=_MAX_EXTENSION_NAME)
        version = self.version(meta, "version", "extension")
        description = self.string(meta, "description", "extension")
        documentation_url = self.string(
            meta, "documentation", "extension", max_length=_MAX_URL, pattern=_URL_RE, hint=" (an http(s) URL)"
        )
        compatibility = []
        seen_versions: dict = {}
        for index, entry in enumerate(self.sequence(meta, "compatibility", "extension")):
            where = f"extension.compatibility[{index}]"
            checked = self.string_value(entry, where, pattern=_VERSION_RE, hint=" (expected a version such as 1.1.0)")
            if self.unique(seen_versions, checked, where, "model version"):
                compatibility.append(checked)
        return {
            "ext_id": ext_id,
            "name": name and name.strip(),
            "version": version,
            "description": description,
            "documentation_url": documentation_url,
            "compatibility": tuple(compatibility),
            "floor_score": self.boolean(meta, "floorScore", "extension", default=False),
        }

    def _section_modules(self, data, section):
        """The ``modules`` list of ``relevance`` or ``overlays``: (path, module code, categories) per module."""
        if section not in data:
            self.add(section, "is required but missing")
            return
        body = self.mapping(data[section], section)
        if body is None:
            return
        module_ids: dict = {}
        for index, item in enumerate(
            self.sequence(body, "modules", section, required=False, non_empty=False, max_items=4)
        ):
            path = f"{section}.modules[{index}]"
            if self.mapping(item, path) is None:
                continue
            code = self.string(item, "id", path, pattern=re.compile(r"\A[GMOR]\Z"), hint=" (expected G, M, O or R)")
            self.unique(module_ids, code, f"{path}.id", "module id")
            categories = self.sequence(item, "categories", path, non_empty=False)
            yield path, code, categories

    def _section_categories(self, data, section):
        """Each category entry of ``relevance`` or ``overlays``: (path, module code, category id, entry)."""
        for module_path, module_code, categories in self._section_modules(data, section):
            category_ids: dict = {}
            for index, item in enumerate(categories):
                path = f"{module_path}.categories[{index}]"
                if self.mapping(item, path) is None:
                    continue
                code = self.string(item, "id", path, pattern=_ID_RE, hint=_EXTENSION_ID_HINT)
                self.unique(category_ids, code, f"{path}.id", "category id")
                yield path, module_code, code, item

    def relevance(self, data) -> list[RelevanceSpec]:
        relevances = []
        for path, module_code, code, item in self._section_categories(data, "relevance"):
            weight = self.integer(item, "weight", path, minimum=0, maximum=_MAX_WEIGHT)
            guidance = self.string(item, "guidance", path)
            assessment = self.string(item, "assessment", path)
            references, reference_ids = self.references_either(item, path)
            levels = self.levels(item, path)
            if None not in (module_code, code, weight, guidance, assessment, references):
                relevances.append(
                    RelevanceSpec(
                        path, module_code, code, weight, guidance, assessment, references, levels, reference_ids
                    )
                )
        return relevances

    def overlays(self, data) -> list[OverlaySpec]:
        overlays = []
        for path, module_code, code, item in self._section_categories(data, "overlays"):
            category_key = f"{module_code}.{code}"
            adjustment = self.overlay_adjustment(item, path, type_required=False)
            rationale = self.string(item, "rationale", path, required=False) or ""
            if adjustment and module_code and code:
                overlays.append(OverlaySpec(path, "category", category_key, *adjustment, rationale))
            requirement_ids: dict = {}
            for req_index, requirement in enumerate(self.sequence(item, "requirements", path, required=False)):
                req_path = f"{path}.requirements[{req_index}]"
                if self.mapping(requirement, req_path) is None:
                    continue
                req_code = self.string(requirement, "id", req_path, pattern=_ID_RE, hint=_EXTENSION_ID_HINT)
                self.unique(requirement_ids, req_code, f"{req_path}.id", "requirement id")
                req_adjustment = self.overlay_adjustment(requirement, req_path, type_required=True)
                req_rationale = self.string(requirement, "rationale", req_path)
                if req_adjustment and None not in (module_code, code, req_code, req_rationale):
                    overlays.append(
                        OverlaySpec(
                            req_path,
                            "requirement",
                            f"{category_key}.{req_code}",
                            *req_adjustment,
                            req_rationale,
                        )
                    )
        return overlays

    def overlay_adjustment(self, item, path, *, type_required) -> tuple[str, str] | None:
        """(kind, exact value text) of an overlay entry; ``type: multiplier`` goes with ``multiplier: 1.5``."""
        given = [kind for kind in OVERLAY_KINDS if kind in item]
        if "type" not in item:
            if type_required:
                self.add(f"{path}.type", "is required but missing (multiplier, addition or override)")
            for kind in given:
                self.add(f"{path}.{kind}", f"is given without 'type: {kind}'")
            return None
        kind = item["type"]
        if kind not in OVERLAY_KINDS:
            self.add(f"{path}.type", f"must be one of multiplier, addition, override, not {kind!r}")
            return None
        for other in given:
            if other != kind:
                self.add(f"{path}.{other}", f"is not allowed in an overlay of type {kind}")
        if kind not in item:
            self.add(f"{path}.{kind}", f"is required for an overlay of type {kind}")
            return None
        value = self.number(item, kind, path, minimum=None if kind == "addition" else 0)
        if value is None:
            return None
        return kind, value
