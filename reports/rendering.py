"""Reports as plain functions: assessment -> data (dict) -> HTML -> PDF bytes.

``report_data_build`` is the only function that reads the database (a fixed number of queries,
whatever the size of the assessment). Its result is JSON-ready, so that its hash identifies the
report's input (``report_input_hash``) and the rendering can be tested with plain dicts.

The detailed report adds the comparison with the previous signed-off assessment (``comparison``) and
the organization's open action plans (``action_plans``), both from ``improvement.selectors``.
"""

import base64
import hashlib
import json
import time
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import (
    Applicability,
    Assessment,
    CategoryAnswer,
    Comment,
    Evidence,
    RequirementAnswer,
    SignOff,
    UseCase,
)
from catalog.levels import LEVEL_NAMES, LEVELS
from improvement.selectors import report_plan_sections
from reports.models import Report
from scoring import charts, engine
from scoring.selectors import assessment_results

REPORT_TEMPLATES = {
    Report.Type.SELF: "reports/pdf/self.html",
    Report.Type.ASSESSMENT: "reports/pdf/assessment.html",
    Report.Type.DETAILED: "reports/pdf/detailed.html",
    Report.Type.ATTESTATION: "reports/pdf/attestation.html",
}
# Keys of the data that do not describe the assessment (left out of the input hash).
VOLATILE_KEYS = ("issued_at",)
IMPROVEMENTS_LIMIT = {Report.Type.ASSESSMENT: 10, Report.Type.DETAILED: 30}


class ReportError(Exception):
    """A report that cannot be made, with a message for the user."""


# ---------------------------------------------------------------------------------------------------
# Data


def _date(value):
    return value.isoformat() if value else None


def _level_info(level):
    return (
        {"number": level, "name": LEVEL_NAMES.get(level, ""), "label": f"{level} {LEVEL_NAMES[level]}"}
        if level
        else None
    )


def _score(score: engine.Score) -> dict:
    return {
        "value": score.as_float,
        "display": score.display,
        "level": _level_info(score.level),
        "progress": [round(float(p) * 100) for p in score.progress],
        "stats": {
            "at_level": {str(k): v for k, v in score.stats.at_level.items()},
            "not_applicable": score.stats.not_applicable,
            "not_assessed": score.stats.not_assessed,
            "assessed": score.stats.assessed,
            "applicable": score.stats.applicable,
        },
    }


def _person(user):
    if user is None:
        return ""
    return user.get_full_name() or user.email or user.username


def report_data_build(*, assessment: Assessment, report_type: str) -> dict:
    """Everything any report shows, as plain JSON-ready data (constant number of queries)."""
    assessment = Assessment.objects.select_related("organization", "model_version").get(pk=assessment.pk)
    organization = assessment.organization
    model_version = assessment.model_version
    # Scores, catalogue and enabled extensions exactly as the results page computes them.
    results = assessment_results(assessment=assessment)
    result = results.result
    modules = results.catalogue.modules
    categories = results.catalogue.categories
    requirements = results.catalogue.requirements
    requirements_of = defaultdict(list)
    for requirement in requirements:
        requirements_of[requirement.category_id].append(requirement)
    scoped = {"organization": organization, "assessment": assessment}
    applicability = {a.key: a for a in Applicability.objects.filter(**scoped)}
    self_method = assessment.method == Assessment.Method.SELF
    detailed = report_type == Report.Type.DETAILED
    requirement_answers = {}
    if detailed and not self_method:
        requirement_answers = {
            a.requirement_id: a
            for a in RequirementAnswer.objects.filter(**scoped).only("requirement_id", "level", "notes")
        }
    category_answers = {}
    if self_method:
        category_answers = {
            a.category_id: a for a in CategoryAnswer.objects.filter(**scoped).only("category_id", "notes")
        }
    comments_of, evidence_of = defaultdict(list), defaultdict(list)
    if detailed:
        for comment in Comment.objects.filter(**scoped).select_related("author"):
            target = ("r", comment.requirement_id) if comment.requirement_id else ("c", comment.category_id)
            comments_of[target].append(
                {"author": _person(comment.author), "at": _date(comment.created_at), "body": comment.body}
            )
        for item in Evidence.objects.filter(**scoped).select_related("uploaded_by"):
            target = ("r", item.requirement_id) if item.requirement_id else ("c", item.category_id)
            evidence_of[target].append(
                {
                    "title": item.title or item.original_name or item.url,
                    "kind": item.get_kind_display(),
                    "name": item.original_name,
                    "url": item.url,
                    "size": item.size,
                    "sha256": item.sha256,
                    "by": _person(item.uploaded_by),
                    "at": _date(item.created_at),
                }
            )
    signoff = None
    if assessment.is_signed_off:
        signoff = (
            SignOff.objects.filter(**scoped, reopened_at=None, imported=False).order_by("-signed_at", "-id").first()
        )
    use_cases = list(UseCase.objects.filter(**scoped))
    module_code = {m.pk: m.code for m in modules}

    def applicability_of(key):
        row = applicability.get(key)
        if key in result.not_applicable:
            return {"level": "Not applicable", "reason": row.reason if row else "", "inherited": row is None}
        if row and row.level == Applicability.Level.PARTIAL:
            return {"level": "Partially applicable", "reason": row.reason, "inherited": False}
        return None

    categories_data = []
    for category in categories:
        score = result.categories[category.key]
        level = score.level
        next_level = (level + 1) if level and level < 5 else None
        entry = {
            "key": category.key,
            "name": category.name,
            "module": module_code[category.module_id],
            "weight": category.weight,
            "score": _score(score),
            "applicability": applicability_of(category.key),
            "level_description": category.level_description(level) if level else "",
            "next_level": _level_info(next_level),
            "next_level_description": category.level_description(next_level) if next_level else "",
        }
        if self_method:
            answer = category_answers.get(category.pk)
            entry["answer_notes"] = answer.notes if answer else ""
        if detailed:
            entry["comments"] = comments_of[("c", category.pk)]
            entry["evidence"] = evidence_of[("c", category.pk)]
            entry["requirements"] = [
                {
                    "key": r.key,
                    "title": r.title,
                    "weight": r.weight,
                    "level": _level_info(requirement_answers[r.pk].level)
                    if r.pk in requirement_answers and r.key not in result.not_applicable
                    else None,
                    "notes": requirement_answers[r.pk].notes if r.pk in requirement_answers else "",
                    "applicability": applicability_of(r.key),
                    "comments": comments_of[("r", r.pk)],
                    "evidence": evidence_of[("r", r.pk)],
                }
                for r in requirements_of[category.pk]
            ]
        categories_data.append(entry)

    names = {m.code: m.name for m in modules} | {c.key: c.name for c in categories}
    names |= {r.key: r.title for r in requirements}
    limit = IMPROVEMENTS_LIMIT.get(report_type, 0)
    improvements = [
        {
            "key": p.key,
            "name": names[p.key],
            "kind": p.kind,
            "current": engine.format_value(p.current_value),
            "current_level": _level_info(p.current_level),
            "target": _level_info(p.target),
            "gain": engine.format_value(p.overall_gain),
        }
        for p in (results.priorities[:limit] if limit else [])
    ]
    extension_names = {e.extension.ext_id: (e.extension.name, e.extension.version) for e in results.extensions}
    overall_level = result.overall.level

    return {
        "report_type": str(report_type),
        "issued_at": timezone.now().isoformat(),
        "site_name": settings.SITE_NAME,
        "organization": {"name": organization.name},
        "assessment": {
            "id": assessment.pk,
            "name": assessment.name,
            "method": assessment.method,
            "method_label": assessment.get_method_display(),
            "trust_level": assessment.trust_level,
            "status": assessment.get_status_display(),
            "is_signed_off": assessment.is_signed_off,
            "assessor_type": assessment.get_assessor_type_display(),
            "assessor_name": assessment.assessor_name,
            "assessor_company": assessment.assessor_company,
            "start_date": _date(assessment.start_date),
            "target_date": _date(assessment.target_date),
            "finish_date": _date(assessment.finish_date),
            "date": _date(
                assessment.finish_date
                or (assessment.signed_off_at and timezone.localdate(assessment.signed_off_at))
                or assessment.start_date
                or timezone.localdate(assessment.created_at)
            ),
            "environment_design": assessment.environment_design,
            "environment_interactions": assessment.environment_interactions,
            "sampling_notes": assessment.sampling_notes,
        },
        "model": {"version": model_version.version, "is_summary": model_version.is_summary},
        "use_cases": [
            {"name": u.name, "description": u.description, "components": u.components, "out_of_scope": u.out_of_scope}
            for u in use_cases
        ],
        "applicability": [
            {"key": key, "name": names.get(key, ""), "level": row.get_level_display(), "reason": row.reason}
            for key, row in sorted(applicability.items(), key=lambda item: engine.natural_key(item[0]))
            if row.level != Applicability.Level.APPLICABLE
        ],
        "levels": [
            {"number": level.number, "name": level.name, "indicators": level.indicators, "risks": level.risks}
            for level in LEVELS
        ],
        "overall": _score(result.overall)
        | {
            "indicators": LEVELS[overall_level - 1].indicators if overall_level else "",
            "risks": LEVELS[overall_level - 1].risks if overall_level else "",
        },
        "completeness": str(result.completeness),
        "is_complete": result.completeness.is_complete,
        "modules": [{"code": m.code, "name": m.name, "score": _score(result.modules[m.code])} for m in modules],
        "categories": categories_data,
        "extensions": [
            {
                "id": ext_id,
                "name": extension_names[ext_id][0],
                "version": extension_names[ext_id][1],
                "score": engine.format_value(ext.score),
                "level": _level_info(ext.level),
                "floor": engine.format_value(ext.floor) if ext.floor is not None else None,
                "baseline_weighted": engine.format_value(ext.baseline_weighted),
            }
            for ext_id, ext in result.extensions.items()
        ],
        "improvements": improvements,
        "signoff": {
            "by": signoff.signed_by_label,
            "at": _date(signoff.signed_at),
            "statement": signoff.statement,
        }
        if signoff
        else None,
        # Comparison with the previous signed-off assessment and the open action plans (improvement app).
        **(report_plan_sections(assessment=assessment) if detailed else {"comparison": None, "action_plans": []}),
    }


def report_input_hash(data: dict) -> str:
    """SHA-256 of the canonical JSON of the report data, leaving out what changes on every build."""
    stable = {key: value for key, value in data.items() if key not in VOLATILE_KEYS}
    canonical = json.dumps(stable, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------
# HTML


def _svg_data_uri(svg: str) -> str:
    # The page's responsive "height: auto" would hide the chart's own aspect ratio from WeasyPrint.
    svg = svg.replace(' style="max-width: 100%; height: auto"', "", 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _chart_items(data):
    """The results page's SVG charts, drawn from the report data, as images that scale to the page."""
    categories = [(f"{c['key']} {c['name']}", c["score"]["value"]) for c in data["categories"]]
    modules = [(f"{m['code']} {m['name']}", m["score"]["value"]) for m in data["modules"]]
    return {
        "radar": _svg_data_uri(charts.radar_chart_svg(categories)),
        "modules": _svg_data_uri(charts.module_bar_chart_svg(modules, width=560)),
    }


def report_html_render(data: dict, report_type: str) -> str:
    """The report's HTML (print CSS included by reference to the static directory)."""
    if report_type not in REPORT_TEMPLATES:
        raise ReportError(f"Unknown report type {report_type!r}.")
    context = {
        "data": data,
        "report_type": report_type,
        "type_label": Report.Type(report_type).label,
        "is_draft": data["signoff"] is None,
        "charts": _chart_items(data),
    }
    return render_to_string(REPORT_TEMPLATES[report_type], context)


# ---------------------------------------------------------------------------------------------------
# PDF

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def _static_only_fetcher():
    """A WeasyPrint fetcher for files of the static directory only: a report never touches the network."""
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher

    static_dir = STATIC_DIR.resolve()

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith("file:"):
                raise ValueError(f"Reports load no external resources: {url.split(':', 1)[0]} refused.")
            path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
            if not path.is_relative_to(static_dir):
                raise ValueError("Reports load files from the static directory only.")
            return super().fetch(url, headers)

    return StaticOnlyFetcher()


def report_pdf_render(html: str) -> bytes:
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=f"{STATIC_DIR}/", url_fetcher=_static_only_fetcher())
    return document.write_pdf()


def report_render_bytes(*, assessment: Assessment, report_type: str) -> tuple[bytes, dict, dict]:
    """Data -> HTML -> PDF in one call: (pdf, data, timings in seconds). Used by the service and the command."""
    started = time.perf_counter()
    data = report_data_build(assessment=assessment, report_type=report_type)
    built = time.perf_counter()
    html = report_html_render(data, report_type)
    templated = time.perf_counter()
    pdf = report_pdf_render(html)
    done = time.perf_counter()
    timings = {"data": built - started, "html": templated - built, "pdf": done - templated}
    return pdf, data, timings
