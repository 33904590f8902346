"""Reads of the improvement app: targets and projection, the plan board, comparison, trend and portfolio.

Every selector costs a fixed number of queries, whatever the number of plans, assessments or
organizations (the pages' tests hold them to it).
"""

import datetime
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from assessments.models import Assessment, CategoryAnswer, Evidence, RequirementAnswer
from assessments.selectors_scores import assessment_results, assessment_rounding
from catalog.models import Category, ModelVersion, Requirement
from catalog.readmodel import catalogues_for
from improvement.dates import reassessment_due_date
from improvement.mapping import category_name_key
from improvement.models import ActionPlan, ActionPlanTask, TargetLevel
from improvement.scores import baseline_scores
from organizations.models import Membership
from organizations.roles import ROLE_PERMISSIONS, Perm
from organizations.tenancy import tenant_get_or_404
from scoring.engine import (
    MAX_LEVEL,
    METHOD_SELF,
    AnswerSet,
    Score,
    format_value,
    level_of,
    score_assessment,
    weighted_average,
)
from scoring.levels import LEVELS, level_label

# ---------------------------------------------------------------------------------------------------
# Targets and projection


@dataclass(frozen=True)
class TargetRow:
    """One category, module or the overall: current, target and projected (if the open plans succeed)."""

    key: str
    name: str
    current: Score
    projected: Score
    target_value: Fraction | None  # a category's target level; for modules and overall the weighted average
    target_is_default: bool = False
    plans: tuple = ()
    children: tuple = ()  # a module's category rows

    @property
    def target_level(self) -> int | None:
        return level_of(self.target_value)

    @property
    def target_display(self) -> str:
        return format_value(self.target_value)

    @property
    def gap_display(self) -> str:
        if self.target_value is None or self.current.value is None:
            return format_value(None)
        return format_value(max(Fraction(0), self.target_value - self.current.value))

    @property
    def reaches_target(self) -> bool:
        return (
            self.target_value is not None
            and self.projected.value is not None
            and (self.projected.value >= self.target_value)
        )


def default_target(current_level: int | None) -> int | None:
    """The next level above the current one (5 stays 5); no target for a category without a value."""
    if current_level is None:
        return None
    return min(current_level + 1, MAX_LEVEL)


def next_level_above(value: Fraction | None) -> int | None:
    """The next whole level above a score: 2.63 -> 3, 3 -> 4; 5 stays 5; None without a value."""
    if value is None:
        return None
    return min(int(value) + 1, MAX_LEVEL)


def plan_default_targets(*, assessment) -> dict[str, int]:
    """The target a new action plan starts with, per item it can be for: the next level above the current
    value of the category ("" : above the overall value). A category without a value is left out."""
    result = assessment_results(assessment=assessment).result
    defaults = {"": next_level_above(result.overall.value)}
    defaults.update({key: next_level_above(score.value) for key, score in result.categories.items()})
    return {key: level for key, level in defaults.items() if level is not None}


def open_plans(*, organization):
    return (
        ActionPlan.objects.for_org(organization)
        .filter(status__in=ActionPlan.OPEN_STATUSES)
        .select_related("responsible_user")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )


def _map_plans(plans, catalogue) -> tuple[dict[int, tuple[str, str]], list]:
    """Plan id -> (category key, requirement key or "") in ``catalogue``'s model version; and the unmapped."""
    by_name = {category_name_key(c.name): c for c in catalogue.categories}
    # A requirement key is "<category key>.<requirement id>" (the catalogue loads keys, not the ids).
    requirement_keys = {(r.category_id, r.key.rsplit(".", 1)[-1]): r.key for r in catalogue.requirements}
    mapped, unmapped = {}, []
    for plan in plans:
        category = by_name.get(category_name_key(plan.category_name))
        if category is None:
            unmapped.append(plan)
            continue
        requirement_key = ""
        if plan.requirement_key:
            requirement_key = requirement_keys.get((category.pk, plan.requirement_code))
            if requirement_key is None:
                unmapped.append(plan)
                continue
        mapped[plan.pk] = (category.key, requirement_key)
    return mapped, unmapped


def projected_answers(*, model, answers: AnswerSet, not_applicable, goals) -> AnswerSet:
    """``answers`` with the planned levels substituted; ``goals`` holds (category key, requirement key, level).

    Formal: a requirement plan raises that requirement to its level (an unassessed one gets it); a
    category plan raises every assessed, applicable requirement of the category that is below its level.
    Self-assessment: a category plan raises the category's level; requirement plans are not scored there.
    A plan never lowers a level.
    """
    if answers.method == METHOD_SELF:
        levels = dict(answers.category_levels)
        for category_key, requirement_key, level in goals:
            if not requirement_key and category_key not in not_applicable:
                levels[category_key] = max(levels.get(category_key, 0), level)
        return AnswerSet(method=answers.method, category_levels=levels, not_applicable=answers.not_applicable)
    levels = dict(answers.requirement_levels)
    requirements_of = {c.key: [r.key for r in c.requirements] for c in model.categories}
    for category_key, requirement_key, level in goals:
        keys = [requirement_key] if requirement_key else [k for k in requirements_of[category_key] if k in levels]
        for key in keys:
            if key not in not_applicable:
                levels[key] = max(levels.get(key, 0), level)
    return AnswerSet(method=answers.method, requirement_levels=levels, not_applicable=answers.not_applicable)


def assessment_targets_and_projection(*, assessment, results=None) -> dict:
    """Current vs target vs projected for every category, module and the overall of ``assessment``.

    Returns ``{"categories": [TargetRow], "modules": [TargetRow], "overall": TargetRow,
    "plans": [ActionPlan] (open plans that apply), "unmapped_plans": [ActionPlan], "method": str}``.
    Plans are the organization's open ones (planned, in progress), from whichever assessment they came:
    they are found in this assessment's model version by category name and requirement id.
    ``results``: the page's ``assessments.selectors_scores.assessment_results`` of ``assessment``, to load it only once.
    """
    if results is None:
        results = assessment_results(assessment=assessment)
    catalogue, model, current = results.catalogue, results.model, results.result
    targets = dict(
        TargetLevel.objects.for_org(assessment.organization)
        .filter(assessment=assessment)
        .values_list("category_key", "level")
    )
    plans = list(open_plans(organization=assessment.organization))
    mapped, unmapped = _map_plans(plans, catalogue)
    goals = [(*mapped[plan.pk], plan.target_level) for plan in plans if plan.pk in mapped]
    projected = score_assessment(
        model,
        projected_answers(model=model, answers=results.answers, not_applicable=current.not_applicable, goals=goals),
        rounding=assessment_rounding(assessment=assessment),
    )
    plans_by_category: dict[str, list] = {}
    for plan in plans:
        if plan.pk in mapped:
            plans_by_category.setdefault(mapped[plan.pk][0], []).append(plan)

    category_targets: dict[str, Fraction | None] = {}
    row_module = {c.key: c.module.code for c in catalogue.categories}
    categories = []
    for category in catalogue.categories:
        score = current.categories[category.key]
        chosen = targets.get(category.key)
        target = chosen if chosen is not None else default_target(score.level)
        if category.key in current.not_applicable:
            target = None
        category_targets[category.key] = None if target is None else Fraction(target)
        categories.append(
            TargetRow(
                key=category.key,
                name=category.name,
                current=score,
                projected=projected.categories[category.key],
                target_value=category_targets[category.key],
                target_is_default=chosen is None and target is not None,
                plans=tuple(plans_by_category.get(category.key, ())),
            )
        )

    def aggregate_target(category_specs) -> Fraction | None:
        return weighted_average(
            (category_targets[c.key], c.weight) for c in category_specs if category_targets[c.key] is not None
        )

    modules = [
        TargetRow(
            key=module.code,
            name=module.name,
            current=current.modules[module.code],
            projected=projected.modules[module.code],
            target_value=aggregate_target(model.categories_of(module.code)),
            children=tuple(row for row in categories if row_module[row.key] == module.code),
        )
        for module in catalogue.modules
    ]
    overall = TargetRow(
        key="overall",
        name="Overall",
        current=current.overall,
        projected=projected.overall,
        target_value=aggregate_target(model.categories),
    )
    return {
        "assessment": assessment,
        "method": results.answers.method,
        "categories": categories,
        "modules": modules,
        "overall": overall,
        "plans": [plan for plan in plans if plan.pk in mapped],
        "unmapped_plans": unmapped,
    }


# ---------------------------------------------------------------------------------------------------
# Action plans


BOARD_SORTS = {
    "due": "Due date",
    "status": "Status",
    "owner": "Responsible",
}


@dataclass(frozen=True)
class BoardFilters:
    status: str = ""  # one ActionPlan.Status value, "open" (default view) or "" for all
    owner: str = ""  # a user id, "none" (nobody named) or "" for everyone
    overdue: bool = False
    sort: str = "due"  # a key of BOARD_SORTS


def _board_order(sort: str) -> list:
    due = F("due_date").asc(nulls_last=True)
    if sort == "status":
        # In the order of the statuses (planned, in progress, done, dropped), not alphabetically.
        rank = Case(
            *(When(status=value, then=Value(n)) for n, value in enumerate(ActionPlan.Status.values)),
            output_field=IntegerField(),
        )
        return [rank, due, "pk"]
    if sort == "owner":
        # Members by e-mail address, then people outside the organization, then nobody.
        return [F("responsible_user__email").asc(nulls_last=True), Lower("responsible_text").desc(), due, "pk"]
    return [due, "pk"]


def action_plan_list(
    *, organization, status: str = "", owner: str = "", overdue: bool = False, origin=None, sort: str = "due"
):
    """The organization's action plans with their task counts (``task_count``, ``tasks_done``).

    ``status``: a status value, "open" (planned or in progress) or "" (all); ``owner``: a user id,
    "none" or ""; ``overdue``: only open plans past their due date; ``origin``: only plans written for
    that assessment; ``sort``: "due" (soonest first, undated last), "status" or "owner" (then by due date).
    """
    plans = ActionPlan.objects.for_org(organization).select_related("responsible_user", "origin")
    if status == "open":
        plans = plans.filter(status__in=ActionPlan.OPEN_STATUSES)
    elif status:
        plans = plans.filter(status=status)
    if owner == "none":
        plans = plans.filter(responsible_user__isnull=True)
    elif owner:
        plans = plans.filter(responsible_user_id=owner)
    if overdue:
        plans = plans.filter(status__in=ActionPlan.OPEN_STATUSES, due_date__lt=timezone.localdate())
    if origin is not None:
        plans = plans.filter(origin=origin)
    return plans.annotate(task_count=Count("tasks"), tasks_done=Count("tasks", filter=Q(tasks__done=True))).order_by(
        *_board_order(sort)
    )


def action_plan_board(*, organization, filters: BoardFilters) -> dict:
    """The board's plans as filtered and sorted, and how many of them are overdue."""
    plans = list(
        action_plan_list(
            organization=organization,
            status=filters.status,
            owner=filters.owner,
            overdue=filters.overdue,
            sort=filters.sort,
        )
    )
    return {"plans": plans, "overdue_count": sum(1 for p in plans if p.is_overdue)}


def plan_owner_choices(*, organization) -> list[tuple[str, str]]:
    members = Membership.objects.for_org(organization).select_related("user").order_by("user__email")
    return [(str(m.user_id), m.user.get_full_name() or m.user.email) for m in members]


# ---------------------------------------------------------------------------------------------------
# Comparison and trend


@dataclass(frozen=True)
class ComparisonRow:
    key: str  # the key in the later assessment ("after"); the earlier key when the item was dropped
    name: str
    before: Score | None  # None: the item does not exist in that assessment's model version
    after: Score | None
    before_key: str = ""

    @property
    def delta(self) -> Fraction | None:
        if self.before is None or self.after is None or self.before.value is None or self.after.value is None:
            return None
        return self.after.value - self.before.value

    @property
    def delta_display(self) -> str:
        delta = self.delta
        if delta is None:
            return format_value(None)
        return ("+" if delta > 0 else "") + format_value(delta)


def assessment_comparison(*, before, after) -> dict:
    """Before, after and delta per category, module and overall of two assessments of one organization.

    Categories are matched by name and modules by id, so assessments on different model versions
    compare too (a category new in the later version has no "before"). Raises ValueError for
    assessments of different organizations. Returns ``{"before", "after", "overall": ComparisonRow,
    "modules": [ComparisonRow], "categories": [ComparisonRow]}``.
    """
    if before.organization_id != after.organization_id:
        raise ValueError("Only assessments of the same organization can be compared.")
    catalogues = catalogues_for([before.model_version_id, after.model_version_id])
    scores = baseline_scores([before, after], catalogues=catalogues)
    score_before, score_after = scores[before.pk], scores[after.pk]
    cat_before, cat_after = catalogues[before.model_version_id], catalogues[after.model_version_id]
    before_by_name = {category_name_key(c.name): c for c in cat_before.categories}
    categories, seen = [], set()
    for category in cat_after.categories:
        previous = before_by_name.get(category_name_key(category.name))
        if previous is not None:
            seen.add(previous.pk)
        categories.append(
            ComparisonRow(
                key=category.key,
                name=category.name,
                before=score_before.categories[previous.key] if previous else None,
                after=score_after.categories[category.key],
                before_key=previous.key if previous else "",
            )
        )
    for category in cat_before.categories:
        if category.pk not in seen:
            categories.append(
                ComparisonRow(
                    key=category.key,
                    name=category.name,
                    before=score_before.categories[category.key],
                    after=None,
                    before_key=category.key,
                )
            )
    modules_before = {m.code: m for m in cat_before.modules}
    modules = [
        ComparisonRow(
            key=module.code,
            name=module.name,
            before=score_before.modules[module.code] if module.code in modules_before else None,
            after=score_after.modules[module.code],
            before_key=module.code if module.code in modules_before else "",
        )
        for module in cat_after.modules
    ]
    overall = ComparisonRow(
        key="overall", name="Overall", before=score_before.overall, after=score_after.overall, before_key="overall"
    )
    return {
        "before": before,
        "after": after,
        "overall": overall,
        "modules": modules,
        "categories": categories,
        "warnings": comparison_warnings(before=before, after=after),
    }


def previous_signed_off(*, assessment):
    """The signed-off assessment of the same organization signed off last before ``assessment`` (or None)."""
    candidates = Assessment.objects.for_org(assessment.organization).filter(
        status=Assessment.Status.SIGNED_OFF, signed_off_at__isnull=False
    )
    if assessment.signed_off_at:
        candidates = candidates.filter(signed_off_at__lt=assessment.signed_off_at)
    return candidates.exclude(pk=assessment.pk).select_related("model_version").order_by("-signed_off_at").first()


def assessment_comparison_with_previous(*, assessment) -> dict | None:
    """For the detailed report: the comparison with the previous signed-off assessment, or None."""
    previous = previous_signed_off(assessment=assessment)
    if previous is None:
        return None
    return assessment_comparison(before=previous, after=assessment)


@dataclass(frozen=True)
class TrendPoint:
    assessment: Assessment
    date: datetime.date
    overall: Score
    modules: dict[str, Score]
    module_cells: tuple = ()  # module scores in the order of the trend's modules (None: not in that model)


@dataclass(frozen=True)
class TrendSeries:
    """The points of one method (and one use-case scope, where the assessments are scoped by use-case)."""

    label: str
    points: tuple


SERIES_NAMES = {
    Assessment.Method.THIRD_PARTY: "Third party",
    Assessment.Method.FORMAL: "Formal",
    Assessment.Method.SELF: "Self-assessment",
}


def _scope_label(assessment) -> str:
    names = sorted(use_case.name for use_case in assessment.use_cases.all())
    return ", ".join(names)


def assessment_trend(*, organization) -> dict:
    """Overall and module values of every signed-off assessment, oldest first (for the trend chart), and
    the same points as one series per method and use-case scope: a quick self-assessment and a formal
    assessment are different measurements and are never joined into one line."""
    assessments = list(
        Assessment.objects.for_org(organization)
        .filter(status=Assessment.Status.SIGNED_OFF, signed_off_at__isnull=False)
        .select_related("model_version")
        .prefetch_related("use_cases")
        .order_by("signed_off_at", "pk")
    )
    catalogues = catalogues_for({a.model_version_id for a in assessments})
    scores = baseline_scores(assessments, catalogues=catalogues)
    modules: dict[str, str] = {}
    for catalogue in catalogues.values():
        for module in catalogue.modules:
            modules.setdefault(module.code, module.name)
    points = [
        TrendPoint(
            assessment=a,
            date=timezone.localdate(a.signed_off_at),
            overall=scores[a.pk].overall,
            modules=scores[a.pk].modules,
            module_cells=tuple(scores[a.pk].modules.get(code) for code in modules),
        )
        for a in assessments
    ]
    grouped: dict[tuple, list] = {}
    for point in points:
        method = point.assessment.method
        grouped.setdefault((TRUST_RANK[method], method, _scope_label(point.assessment)), []).append(point)
    series = [
        TrendSeries(
            label=SERIES_NAMES[method] + (f" · {scope[:18]}" if scope else ""),
            points=tuple(group),
        )
        for (_rank, method, scope), group in sorted(grouped.items(), key=lambda item: (-item[0][0], item[0][2]))
    ]
    versions = sorted({p.assessment.model_version.version for p in points})
    return {"points": points, "modules": modules, "series": series, "model_versions": versions}


def comparison_warnings(*, before, after) -> list[str]:
    """Why two results may not be comparable: different methods, model versions or scope."""
    warnings = []
    if before.method != after.method:
        warnings.append(
            f"Different methods: {before.get_method_display()} (trust {before.trust_level.lower()}) against "
            f"{after.get_method_display()} (trust {after.trust_level.lower()}). A change may come from how "
            "the PKI was assessed, not from the PKI."
        )
    if before.model_version_id != after.model_version_id:
        warnings.append(
            f"Different model versions: PKIMM {before.model_version.version} against PKIMM "
            f"{after.model_version.version}. Categories are lined up by their correspondence (by name within "
            "the model); those that exist in one version only have no change."
        )
    scope_before, scope_after = _scope_label(before), _scope_label(after)
    if scope_before != scope_after:
        warnings.append(
            f"Different scope: use-cases “{scope_before or 'none named'}” against “{scope_after or 'none named'}”."
        )
    return warnings


# ---------------------------------------------------------------------------------------------------
# Portfolio

PORTFOLIO_ROLES = tuple(role for role, perms in ROLE_PERMISSIONS.items() if Perm.PORTFOLIO_VIEW in perms)
# A distribution over fewer organizations would let a reader recognize one of them.
BENCHMARK_MIN_ORGANIZATIONS = 3


@dataclass
class PortfolioRow:
    organization: object
    role_label: str
    latest: Assessment | None
    overall: Score | None
    modules: dict[str, Score] = field(default_factory=dict)
    next_due: datetime.date | None = None
    module_cells: tuple = ()  # module scores in the order of the portfolio's modules
    newer: Assessment | None = None  # a newer, less trusted result than ``latest`` (e.g. a quick self-check)

    @property
    def is_due(self) -> bool:
        return self.latest is None or (self.next_due is not None and self.next_due <= timezone.localdate())


@dataclass(frozen=True)
class BenchmarkRow:
    name: str
    counts: tuple[int, ...]  # organizations at level 1..5
    not_assessed: int
    highlighted_level: int | None

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def cells(self) -> list[dict]:
        return [
            {"level": level, "count": count, "share": round(100 * count / self.total) if self.total else 0}
            for level, count in zip(range(1, MAX_LEVEL + 1), self.counts, strict=True)
        ]


TRUST_RANK = {Assessment.Method.THIRD_PARTY: 3, Assessment.Method.FORMAL: 2, Assessment.Method.SELF: 1}


def most_trusted_result(signed_off: list, *, organization):
    """The result a portfolio shows for one organization, from its signed-off assessments (newest first):
    the most trusted method (independent third party > formal > self-assessment) among those signed off
    within one re-assessment interval of the newest, the newest of them on a tie. So a quick
    self-assessment after a formal assessment does not replace it, while a formal result older than the
    interval gives way to whatever is current."""
    if not signed_off:
        return None
    newest = signed_off[0].signed_off_at
    months = organization.reassessment_interval_months
    window_start = newest - datetime.timedelta(days=round(months * 30.44))
    current = [a for a in signed_off if a.signed_off_at >= window_start]
    return max(current, key=lambda a: (TRUST_RANK[a.method], a.signed_off_at, a.pk))


def portfolio_memberships(*, user, second_factor: bool = True):
    """The memberships that put an organization in ``user``'s portfolio (owner or lead assessor); without a
    second factor in this session, not those of organizations that require one (organizations/tenancy.py)."""
    memberships = Membership.objects.filter(user=user, role__in=PORTFOLIO_ROLES)
    if not second_factor:
        memberships = memberships.exclude(organization__require_mfa=True)
    return memberships.select_related("organization").order_by("organization__name", "organization__pk")


def portfolio_for(*, user, highlight_slug: str = "", second_factor: bool = True) -> dict:
    """Each organization where ``user`` is owner or lead: the most trusted recent signed-off result
    (``most_trusted_result``), its levels and method, the next due date, and the assessments in progress
    with their progress and open items; plus the anonymized benchmark of category levels with the
    ``highlight_slug`` organization marked.

    Only those organizations are read: nothing of any other organization enters the result.
    """
    memberships = list(portfolio_memberships(user=user, second_factor=second_factor))
    organizations = [m.organization for m in memberships]
    signed_off = (
        Assessment.objects.filter(
            organization__in=organizations, status=Assessment.Status.SIGNED_OFF, signed_off_at__isnull=False
        )
        .select_related("model_version", "organization")
        .order_by("-signed_off_at", "-pk")
    )
    latest, newer = [], {}
    by_org: dict[int, list] = {}
    for assessment in signed_off:
        by_org.setdefault(assessment.organization_id, []).append(assessment)
    for organization in organizations:
        preferred = most_trusted_result(by_org.get(organization.pk, []), organization=organization)
        if preferred is not None:
            latest.append(preferred)
            newest = by_org[organization.pk][0]
            if newest.pk != preferred.pk:
                newer[organization.pk] = newest
    in_progress = list(
        Assessment.objects.filter(organization__in=organizations)
        .exclude(status=Assessment.Status.SIGNED_OFF)
        .annotate(
            sent_back=Count("reviews", filter=Q(reviews__status="sent_back"), distinct=True),
            waiting_review=Count("reviews", filter=Q(reviews__status="pending"), distinct=True),
        )
        .select_related("model_version", "organization")
        .order_by(F("target_date").asc(nulls_last=True), "organization__name", "pk")
    )
    for assessment in in_progress:
        assessment.open_answers = max(0, assessment.summary_applicable - assessment.summary_assessed)
    latest_by_org = {a.organization_id: a for a in latest}
    catalogues = catalogues_for({a.model_version_id for a in latest})
    scores = baseline_scores(latest, catalogues=catalogues)

    modules: dict[str, str] = {}
    for assessment in sorted(latest, key=lambda a: a.model_version.version_key, reverse=True):
        for module in catalogues[assessment.model_version_id].modules:
            modules.setdefault(module.code, module.name)
    rows = []
    for membership in memberships:
        organization = membership.organization
        assessment = latest_by_org.get(organization.pk)
        score = scores.get(assessment.pk) if assessment else None
        rows.append(
            PortfolioRow(
                organization=organization,
                role_label=membership.get_role_display(),
                latest=assessment,
                overall=score.overall if score else None,
                modules=score.modules if score else {},
                module_cells=tuple(score.modules.get(code) for code in modules) if score else (),
                next_due=reassessment_due_date(
                    signed_off_at=assessment.signed_off_at,
                    interval_months=organization.reassessment_interval_months,
                )
                if assessment
                else None,
            )
        )
    highlighted = next((o for o in organizations if o.slug == highlight_slug), None)
    for row in rows:
        row.newer = newer.get(row.organization.pk)
    return {
        "rows": rows,
        "in_progress": in_progress,
        "modules": modules,
        "benchmark": _benchmark(latest, scores, catalogues, highlighted),
        "highlighted": highlighted,
        "organizations": organizations,
        "benchmark_min": BENCHMARK_MIN_ORGANIZATIONS,
        "level_labels": [(level.number, level_label(level.number)) for level in LEVELS],
    }


def _benchmark(latest, scores, catalogues, highlighted) -> list[BenchmarkRow]:
    """Category levels of each organization's latest signed-off assessment, counted per level, by name."""
    if len(latest) < BENCHMARK_MIN_ORGANIZATIONS:
        return []
    # Category order and names of the newest model version in use; older versions join by name.
    newest = max(latest, key=lambda a: a.model_version.version_key).model_version_id
    names = {category_name_key(c.name): c.name for c in catalogues[newest].categories}
    for catalogue in catalogues.values():
        for category in catalogue.categories:
            names.setdefault(category_name_key(category.name), category.name)
    levels: dict[str, dict[int, int | None]] = {key: {} for key in names}
    for assessment in latest:
        for category in catalogues[assessment.model_version_id].categories:
            score = scores[assessment.pk].categories[category.key]
            levels[category_name_key(category.name)][assessment.organization_id] = score.level
    rows = []
    for key, name in names.items():
        by_org = levels[key]
        counts = [0] * MAX_LEVEL
        for level in by_org.values():
            if level is not None:
                counts[level - 1] += 1
        rows.append(
            BenchmarkRow(
                name=name,
                counts=tuple(counts),
                not_assessed=len(latest) - sum(counts),
                highlighted_level=by_org.get(highlighted.pk) if highlighted else None,
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------------
# Detailed report


def _display(score: Score | None) -> str:
    return format_value(score.value if score is not None else None)


def report_plan_sections(*, assessment) -> dict:
    """JSON-ready sections of the detailed report (a fixed number of queries):

    ``comparison``: None without a previous signed-off assessment, else ``{"previous": {"name", "date",
    "model_version"}, "overall": {...}, "modules": [...], "categories": [{"key", "name", "previous",
    "current", "delta"}]}`` (values as two-decimal text, "–" for no value);
    ``action_plans``: the organization's open plans, soonest due first: ``[{"key", "name", "title",
    "target", "objectives", "owner", "due", "status", "overdue"}]`` (``key`` in this assessment's model
    version when the category still exists there, else as written).
    """
    comparison = assessment_comparison_with_previous(assessment=assessment)
    comparison_data = None
    if comparison is not None:
        previous = comparison["before"]

        def row(item: ComparisonRow) -> dict:
            return {
                "key": item.key,
                "name": item.name,
                "previous": _display(item.before),
                "current": _display(item.after),
                "delta": item.delta_display,
            }

        comparison_data = {
            "previous": {
                "name": previous.name,
                "date": timezone.localdate(previous.signed_off_at).isoformat(),
                "model_version": previous.model_version.version,
            },
            "overall": row(comparison["overall"]),
            "modules": [row(item) for item in comparison["modules"]],
            "categories": [row(item) for item in comparison["categories"]],
        }
    plans = list(open_plans(organization=assessment.organization))
    mapped, _ = _map_plans(plans, catalogues_for([assessment.model_version_id])[assessment.model_version_id])
    action_plans = []
    for plan in plans:
        category_key, requirement_key = mapped.get(plan.pk, (plan.category_key, plan.requirement_key))
        action_plans.append(
            {
                "key": requirement_key or category_key,
                "name": plan.category_name,
                "title": plan.title,
                "target": level_label(plan.target_level),
                "objectives": plan.objectives,
                "owner": plan.responsible_label,
                "due": plan.due_date.isoformat() if plan.due_date else None,
                "status": plan.get_status_display(),
                "overdue": plan.is_overdue,
            }
        )
    return {"comparison": comparison_data, "action_plans": action_plans}


# ---------------------------------------------------------------------------------------------------
# The pages' own reads (the views hold no queries)


def action_plan_of_org(*, organization, plan_id: int) -> ActionPlan:
    """The plan of a URL, with what its pages show; another organization's id (or none) is 404."""
    return tenant_get_or_404(
        ActionPlan.objects.select_related("responsible_user", "origin__model_version", "created_by"),
        organization,
        pk=plan_id,
    )


def action_plan_task_of_plan(*, organization, plan, task_id: int) -> ActionPlanTask:
    """A task of ``plan`` by its URL id; any other task is 404."""
    return tenant_get_or_404(ActionPlanTask.objects.select_related("plan"), organization, pk=task_id, plan=plan)


def action_plan_tasks(*, organization, plan) -> list[ActionPlanTask]:
    return list(ActionPlanTask.objects.for_org(organization).filter(plan=plan))


def action_plan_status_counts(*, organization) -> dict[str, int]:
    """The number of the organization's plans per status (one query)."""
    return dict(
        ActionPlan.objects.for_org(organization)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )


def action_plan_open_count(*, organization) -> int:
    return ActionPlan.objects.for_org(organization).filter(status__in=ActionPlan.OPEN_STATUSES).count()


def assessments_latest(*, organization, limit: int | None = None, with_model_version: bool = False) -> list:
    """The organization's assessments, newest first (at most ``limit``)."""
    assessments = Assessment.objects.for_org(organization).order_by("-created_at")
    if with_model_version:
        assessments = assessments.select_related("model_version")
    return list(assessments[:limit] if limit else assessments)


def plan_item_choices(*, model_version_id: int) -> tuple[list[Category], list[Requirement]]:
    """Categories and requirements of a model version in model order, for the plan form's item choice."""
    categories = list(Category.objects.filter(model_version_id=model_version_id).order_by("position"))
    requirements = list(
        Requirement.objects.filter(model_version_id=model_version_id)
        .only("key", "title", "category_id")
        .order_by("position")
    )
    return categories, requirements


def reassessment_model_versions(*, previous):
    """The model versions a re-assessment of ``previous`` may move onto: its own and newer ones, newest first
    (a queryset, for the form's choice)."""
    versions = [mv for mv in ModelVersion.objects.all() if mv.version_key >= previous.model_version.version_key]
    return ModelVersion.objects.filter(pk__in=[mv.pk for mv in versions]).order_by("-version")


def reassessment_model_version_or_none(*, model_versions, pk):
    """One of ``model_versions`` (from ``reassessment_model_versions``) by its id, or None."""
    return model_versions.filter(pk=pk).first()


def evidence_count(*, assessment) -> int:
    return Evidence.objects.for_org(assessment.organization_id).filter(assessment=assessment).count()


def answers_still_carried_over(*, assessment) -> int:
    """How many answers of a re-assessment still hold the level carried over from the previous one."""
    answers = RequirementAnswer if assessment.is_formal else CategoryAnswer
    return answers.objects.for_org(assessment.organization_id).filter(assessment=assessment, carried_over=True).count()


def action_plans_with_tasks(*, organization, status: str = ""):
    """The organization's plans with their tasks in order (a queryset: the API pages through it)."""
    plans = (
        ActionPlan.objects.for_org(organization)
        .select_related("responsible_user")
        .prefetch_related(Prefetch("tasks", queryset=ActionPlanTask.objects.order_by("position", "id")))
    )
    return plans.filter(status=status) if status else plans


def action_plans_of_org(*, organization):
    return ActionPlan.objects.for_org(organization)
