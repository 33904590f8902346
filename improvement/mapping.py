"""How one model version's structure maps onto another, for re-assessments and comparisons.

Categories are matched by name (ids are renumbered between versions: Key management is M.5 in 1.0.0
and M.6 in 1.1.0); requirements by their id within the matched category, or, from numbered 1.x ids to the
named ids of 2.0.0, by their descriptions (catalog.correspondence); modules by their id.
A requirement whose id no longer exists in the matched category is *dropped*: its answer is not
carried over (the previous assessment keeps it) and the report lists it so the user can look at it.
"""

from dataclasses import dataclass, field

from assessments.models import CategoryAnswer, RequirementAnswer
from catalog.correspondence import category_name_key, match_requirements
from catalog.models import Category, Module, Requirement

__all__ = ["category_name_key", "reassessment_mapping"]


@dataclass(frozen=True)
class MappedCategory:
    name: str
    old_key: str | None  # None: new in the target version
    new_key: str | None  # None: dropped from the target version
    carried_over: int = 0
    new_requirements: tuple[str, ...] = ()  # keys in the target version without a predecessor
    dropped_requirements: tuple[str, ...] = ()  # keys in the previous version without a successor

    @property
    def change(self) -> str:
        if self.old_key is None:
            return "new"
        if self.new_key is None:
            return "dropped"
        if self.old_key != self.new_key:
            return "renumbered"
        return "changed" if self.new_requirements or self.dropped_requirements else "same"


@dataclass(frozen=True)
class DroppedAnswer:
    key: str  # the key in the previous assessment's model version
    title: str
    level: int | None
    reason: str


@dataclass
class MappingReport:
    from_version: str
    to_version: str
    categories: list[MappedCategory]
    dropped_answers: list[DroppedAnswer]
    carried_over_count: int
    kept_extensions: list = field(default_factory=list)  # enabled extensions compatible with the new version
    dropped_extensions: list = field(default_factory=list)  # enabled extensions that are not
    key_map: dict[str, str] = field(default_factory=dict)  # old module/category/requirement key -> new key
    category_map: dict[int, int] = field(default_factory=dict)  # old Category id -> new Category id
    requirement_map: dict[int, int] = field(default_factory=dict)  # old Requirement id -> new Requirement id

    @property
    def same_version(self) -> bool:
        return self.from_version == self.to_version

    @property
    def new_categories(self) -> list[MappedCategory]:
        return [c for c in self.categories if c.change == "new"]

    @property
    def dropped_categories(self) -> list[MappedCategory]:
        return [c for c in self.categories if c.change == "dropped"]

    @property
    def changed_categories(self) -> list[MappedCategory]:
        return [c for c in self.categories if c.change != "same"]


def answer_has_content(answer) -> bool:
    """Only answers with a level or notes are worth carrying over (an empty row is no answer)."""
    return answer.level is not None or bool(answer.notes.strip())


def _structure(model_version):
    categories = list(Category.objects.filter(model_version=model_version).select_related("module"))
    requirements = list(Requirement.objects.filter(model_version=model_version).order_by("position"))
    by_category: dict[int, list[Requirement]] = {}
    for requirement in requirements:
        by_category.setdefault(requirement.category_id, []).append(requirement)
    return categories, by_category


def reassessment_mapping(*, previous, model_version) -> MappingReport:
    """What happens to ``previous``'s answers in a new assessment on ``model_version`` (read-only)."""
    old_categories, old_requirements = _structure(previous.model_version)
    if model_version.pk == previous.model_version_id:
        new_categories, new_requirements = old_categories, old_requirements
    else:
        new_categories, new_requirements = _structure(model_version)
    new_by_name = {category_name_key(c.name): c for c in new_categories}
    module_codes = set(Module.objects.filter(model_version=model_version).values_list("code", flat=True))

    requirement_answers = {
        answer.requirement_id: answer
        for answer in RequirementAnswer.objects.for_org(previous.organization).filter(assessment=previous)
        if answer_has_content(answer)
    }
    category_answers = {
        answer.category_id: answer
        for answer in CategoryAnswer.objects.for_org(previous.organization).filter(assessment=previous)
        if answer_has_content(answer)
    }
    answers_count = requirement_answers if previous.is_formal else category_answers

    report = MappingReport(
        from_version=previous.model_version.version,
        to_version=model_version.version,
        categories=[],
        dropped_answers=[],
        carried_over_count=0,
    )
    report.key_map.update({code: code for code in module_codes})
    matched_new: set[int] = set()
    for old in old_categories:
        new = new_by_name.get(category_name_key(old.name))
        if new is None:
            report.categories.append(MappedCategory(name=old.name, old_key=old.key, new_key=None))
            _drop_answers(
                report,
                previous,
                old,
                old_requirements.get(old.pk, []),
                requirement_answers,
                category_answers,
                reason=f"The category is not in model {model_version.version}.",
            )
            continue
        matched_new.add(new.pk)
        report.key_map[old.key] = new.key
        report.category_map[old.pk] = new.pk
        new_rows = new_requirements.get(new.pk, [])
        pairs = match_requirements(old_requirements.get(old.pk, []), new_rows)
        successors = {r.pk for r in pairs.values()}
        unmatched_new = [r for r in new_rows if r.pk not in successors]
        dropped = []
        carried = 0
        for requirement in old_requirements.get(old.pk, []):
            successor = pairs.get(requirement)
            if successor is None:
                dropped.append(requirement.key)
                answer = requirement_answers.get(requirement.pk)
                if answer is not None and previous.is_formal:
                    report.dropped_answers.append(
                        DroppedAnswer(
                            key=requirement.key,
                            title=requirement.title,
                            level=answer.level,
                            reason=f"Requirement {requirement.code} no longer exists in {new.key} {new.name}.",
                        )
                    )
                continue
            report.key_map[requirement.key] = successor.key
            report.requirement_map[requirement.pk] = successor.pk
            if requirement.pk in answers_count:
                carried += 1
        if not previous.is_formal and old.pk in category_answers:
            carried = 1
        report.carried_over_count += carried
        report.categories.append(
            MappedCategory(
                name=new.name,
                old_key=old.key,
                new_key=new.key,
                carried_over=carried,
                new_requirements=tuple(r.key for r in unmatched_new),
                dropped_requirements=tuple(dropped),
            )
        )
    for new in new_categories:
        if new.pk not in matched_new:
            report.categories.append(
                MappedCategory(
                    name=new.name,
                    old_key=None,
                    new_key=new.key,
                    new_requirements=tuple(r.key for r in new_requirements.get(new.pk, [])),
                )
            )
    for extension in previous.extensions.all():
        compatible = extension.is_compatible_with(model_version.version)
        (report.kept_extensions if compatible else report.dropped_extensions).append(extension)
    # In the order of the new model; categories it no longer has come last.
    order = {c.key: position for position, c in enumerate(new_categories)}
    report.categories.sort(key=lambda c: order.get(c.new_key, len(order)))
    return report


def _drop_answers(report, previous, category, requirements, requirement_answers, category_answers, *, reason):
    if previous.is_formal:
        for requirement in requirements:
            answer = requirement_answers.get(requirement.pk)
            if answer is not None:
                report.dropped_answers.append(DroppedAnswer(requirement.key, requirement.title, answer.level, reason))
    elif category.pk in category_answers:
        answer = category_answers[category.pk]
        report.dropped_answers.append(DroppedAnswer(category.key, category.name, answer.level, reason))
