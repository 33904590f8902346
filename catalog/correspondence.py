"""Which category and requirement of one model version corresponds to which of another, derived from the
two imported versions alone (no mapping file): for re-assessments onto a newer version and for the
catalogue's version-difference page.

- Categories: by name within their module, ignoring case and spacing ("Strategy and Vision" = "Strategy and
  vision"); ids are positions in 1.x (Key management is M.5 in 1.0.0, M.6 in 1.1.0) and words in 2.0.0.
- Requirements of two versions with the same kind of ids (both numbered, or both named): by id within the
  matched category, as before.
- Requirements across kinds (1.x numbers -> 2.0.0 names): by the similarity of their descriptions, best
  pairs first, position only breaking ties; a pair must be at least ``MIN_SIMILARITY`` alike, so a
  requirement that was removed is listed as removed instead of being matched to whatever is left.
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from catalog.models import Category, Requirement

MIN_SIMILARITY = 0.75


def category_name_key(name: str) -> str:
    """Names compared without case and spacing differences ("Strategy and Vision" = "strategy and vision")."""
    return " ".join(name.casefold().split())


def _text_key(text: str) -> str:
    return " ".join(text.casefold().split())


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _text_key(a), _text_key(b), autojunk=False).ratio()


def _numbered(code: str) -> bool:
    return code.isdigit()


def match_requirements(old: list, new: list) -> dict:
    """``{old requirement: new requirement}`` for two lists of one matched category (Requirement rows)."""
    if old and new and _numbered(old[0].code) == _numbered(new[0].code):
        by_code = {r.code: r for r in new}
        return {r: by_code[r.code] for r in old if r.code in by_code}
    candidates = []
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            score = similarity(a.title, b.title)
            if score >= MIN_SIMILARITY:
                candidates.append((-score, abs(i - j), i, j))
    candidates.sort()
    matched: dict = {}
    used_new: set[int] = set()
    for _, _, i, j in candidates:
        if old[i] in matched or j in used_new:
            continue
        matched[old[i]] = new[j]
        used_new.add(j)
    return matched


@dataclass
class CategoryChange:
    module: str
    name: str
    old: Category | None
    new: Category | None
    renamed_from: str = ""  # the old spelling when only case or spacing changed
    weight_change: tuple[int, int] | None = None
    added: list = field(default_factory=list)  # new Requirement rows
    removed: list = field(default_factory=list)  # old Requirement rows
    reworded: list = field(default_factory=list)  # (old, new, [what changed])
    weight_changes: list = field(default_factory=list)  # (old, new)
    moved: list = field(default_factory=list)  # (old, new) whose position in the category changed
    unchanged: int = 0

    @property
    def status(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        changed = self.added or self.removed or self.reworded or self.weight_changes or self.weight_change
        return "changed" if changed or self.renamed_from or self.levels_changed else "same"

    @property
    def levels_changed(self) -> list[int]:
        if self.old is None or self.new is None:
            return []
        old = {level.get("number"): _text_key(level.get("description", "")) for level in self.old.levels}
        new = {level.get("number"): _text_key(level.get("description", "")) for level in self.new.levels}
        return [number for number in sorted(new) if old.get(number) != new[number]]


@dataclass
class VersionDifference:
    old_version: str
    new_version: str
    categories: list[CategoryChange]
    requirement_map: dict  # old Requirement -> new Requirement
    category_map: dict  # old Category -> new Category

    def count(self, what: str) -> int:
        return sum(len(getattr(c, what)) for c in self.categories)

    @property
    def added_categories(self) -> list[CategoryChange]:
        return [c for c in self.categories if c.status == "added"]

    @property
    def removed_categories(self) -> list[CategoryChange]:
        return [c for c in self.categories if c.status == "removed"]


def _structure(model_version):
    categories = list(Category.objects.filter(model_version=model_version).select_related("module"))
    by_category: dict[int, list] = {c.pk: [] for c in categories}
    for requirement in Requirement.objects.filter(model_version=model_version).order_by("position"):
        by_category[requirement.category_id].append(requirement)
    return categories, by_category


def version_difference(*, old_version, new_version) -> VersionDifference:
    """What changed from ``old_version`` to ``new_version`` (ModelVersion rows): four queries."""
    old_categories, old_requirements = _structure(old_version)
    new_categories, new_requirements = _structure(new_version)
    new_by_name = {(c.module.code, category_name_key(c.name)): c for c in new_categories}
    difference = VersionDifference(old_version.version, new_version.version, [], {}, {})
    matched_new = set()
    for old in old_categories:
        new = new_by_name.get((old.module.code, category_name_key(old.name)))
        if new is None:
            difference.categories.append(
                CategoryChange(old.module.code, old.name, old, None, removed=list(old_requirements[old.pk]))
            )
            continue
        matched_new.add(new.pk)
        difference.category_map[old] = new
        change = CategoryChange(old.module.code, new.name, old, new)
        if old.name != new.name:
            change.renamed_from = old.name
        if old.weight != new.weight:
            change.weight_change = (old.weight, new.weight)
        old_rows, new_rows = old_requirements[old.pk], new_requirements[new.pk]
        pairs = match_requirements(old_rows, new_rows)
        difference.requirement_map.update(pairs)
        successors = set(pairs.values())
        change.removed = [r for r in old_rows if r not in pairs]
        change.added = [r for r in new_rows if r not in successors]
        for position, r in enumerate(old_rows):
            successor = pairs.get(r)
            if successor is None:
                continue
            what = []
            if _text_key(r.title) != _text_key(successor.title):
                what.append("description")
            if _text_key(r.guidance) != _text_key(successor.guidance):
                what.append("guidance")
            if _text_key(r.assessment_hints) != _text_key(successor.assessment_hints):
                what.append("assessment")
            if what:
                change.reworded.append((r, successor, what))
            if r.weight != successor.weight:
                change.weight_changes.append((r, successor))
            if new_rows.index(successor) != position:
                change.moved.append((r, successor))
            if not what and r.weight == successor.weight:
                change.unchanged += 1
        difference.categories.append(change)
    for new in new_categories:
        if new.pk not in matched_new:
            difference.categories.append(
                CategoryChange(new.module.code, new.name, None, new, added=list(new_requirements[new.pk]))
            )
    order = {c.pk: position for position, c in enumerate(new_categories)}
    difference.categories.sort(key=lambda c: order.get(c.new.pk, len(order)) if c.new else len(order))
    return difference
