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
from assessments.selectors_scores import assessment_results
from core.profiles import person_name
from improvement.selectors import report_plan_sections
from reports.models import Report
from results import charts
from scoring import engine
from scoring.levels import LEVEL_NAMES, LEVELS

REPORT_TEMPLATES = {
    Report.Type.SELF: "reports/pdf/self.html",
    Report.Type.ASSESSMENT: "reports/pdf/assessment.html",
    Report.Type.DETAILED: "reports/pdf/detailed.html",
    Report.Type.ATTESTATION: "reports/pdf/attestation.html",
}
# Keys of the data that do not describe the assessment (left out of the input hash).
VOLATILE_KEYS = ("issued_at",)
# The name of the machine-readable attachment (as in the PKI Consortium's assessment profile).
CREDENTIAL_NAME = "pkimm-assessment-credential.json"
IMPROVEMENTS_LIMIT = {Report.Type.ASSESSMENT: 10, Report.Type.DETAILED: 30}


class ReportError(Exception):
    """A report that cannot be made, with a message for the user."""


# ---------------------------------------------------------------------------------------------------
# Data


def _date(value):
    return value.isoformat() if value else None


def _level_info(level, names=LEVEL_NAMES):
    """A level with the name the assessment's model version gives it ("Basic" in 1.x, "Foundational" in 2.0.0)."""
    return {"number": level, "name": names.get(level, ""), "label": f"{level} {names[level]}"} if level else None


def _score(score: engine.Score, names=LEVEL_NAMES) -> dict:
    return {
        "value": score.as_float,
        "display": score.display,
        "level": _level_info(score.level, names),
        "progress": [round(float(p) * 100) for p in score.progress],
        "stats": {
            "at_level": {str(k): v for k, v in score.stats.at_level.items()},
            "not_applicable": score.stats.not_applicable,
            "not_assessed": score.stats.not_assessed,
            "assessed": score.stats.assessed,
            "applicable": score.stats.applicable,
        },
    }


def _assurance(assessment) -> dict | None:
    """What the result may claim under the assessment's profile. Only the default tier (one that runs here,
    without independent verification) applies: the other tiers need a workflow outside this installation."""
    if not assessment.profile_id:
        return None
    profile = assessment.profile
    tier = profile.default_tier
    return {
        "tier": tier["id"],
        "label": tier["label"],
        "report_label": tier["reportLabel"],
        "notice": tier["notice"],
        "claim_label": profile.report.get("claimLabel", ""),
        "profile": f"{profile.profile_id} {profile.version}",
    }


def _person(user):
    return person_name(user)


def assurance_label(assessment: Assessment) -> dict:
    """What the result may claim, by method (after the assessment profile's assurance tiers).

    ``attests`` is False for a self-assessment: its attestation report is a self-declaration.
    """
    assessor = ", ".join(part for part in (assessment.assessor_name, assessment.assessor_company) if part)
    method = assessment.method
    if method == Assessment.Method.THIRD_PARTY:
        label = f"Independent third-party assessment by {assessor or 'an assessor who is not named'}"
        return {"tier": "third-party", "label": label, "verified": True, "attests": True}
    if method == Assessment.Method.FORMAL:
        by = f" by {assessor}" if assessor else ""
        kind = assessment.get_assessor_type_display().lower()
        label = f"Formal assessment{by} ({kind} assessor) — not independently verified"
        return {"tier": "formal", "label": label, "verified": False, "attests": True}
    label = "Self-assessment — not independently verified"
    return {"tier": "self", "label": label, "verified": False, "attests": False}


def signoff_data(signoff: SignOff | None) -> dict | None:
    """The sign-off as reports show it: the signer's name and title as they were when signing."""
    if signoff is None:
        return None
    return {
        "id": signoff.pk,
        "by": signoff.signed_by_name or signoff.signed_by_label,
        "title": signoff.signed_by_title,
        "email": signoff.signed_by_label,
        "at": _date(signoff.signed_at),
        "statement": signoff.statement,
        "open_items": signoff.open_items,
        "countersigners": [
            {"name": person["name"], "title": person.get("title", ""), "field": countersign_field_name(index)}
            for index, person in enumerate(signoff.countersigners or [])
        ],
    }


def countersign_field_name(index: int) -> str:
    return f"PKIMMCounterSignature{index + 1}"


def report_data_build(*, assessment: Assessment, report_type: str) -> dict:
    """Everything any report shows, as plain JSON-ready data (constant number of queries)."""
    assessment = Assessment.objects.select_related("organization", "model_version").get(pk=assessment.pk)
    organization = assessment.organization
    model_version = assessment.model_version
    level_names = model_version.level_name_map
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
    # A row at "applicable" only keeps a decision's version (set back): no decision to report.
    applicability = {
        a.key: a for a in Applicability.objects.filter(**scoped).exclude(level=Applicability.Level.APPLICABLE)
    }
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
        for comment in Comment.objects.filter(**scoped).select_related("author__profile"):
            on = ("r", comment.requirement_id) if comment.requirement_id else ("c", comment.category_id)
            comments_of[on].append(
                {"author": _person(comment.author), "at": _date(comment.created_at), "body": comment.body}
            )
        for item in Evidence.objects.filter(**scoped).select_related("uploaded_by__profile"):
            on = ("r", item.requirement_id) if item.requirement_id else ("c", item.category_id)
            evidence_of[on].append(
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
    category_keys = {c.key for c in categories}

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
            "score": _score(score, level_names),
            "applicability": applicability_of(category.key),
            "level_description": category.level_description(level) if level else "",
            "next_level": _level_info(next_level, level_names),
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
                    "level": _level_info(requirement_answers[r.pk].level, level_names)
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
            "current_level": _level_info(p.current_level, level_names),
            "target": _level_info(p.target, level_names),
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
        "profile_assurance": _assurance(assessment),
        "level_names": {str(number): name for number, name in level_names.items()},
        "use_cases": [
            {"name": u.name, "description": u.description, "components": u.components, "out_of_scope": u.out_of_scope}
            for u in use_cases
        ],
        "assurance": assurance_label(assessment),
        "applicability": [
            {
                "key": key,
                "kind": _key_kind(key, module_code.values(), category_keys),
                "name": names.get(key, ""),
                "level": row.get_level_display(),
                "reason": row.reason,
            }
            for key, row in sorted(applicability.items(), key=lambda item: engine.natural_key(item[0]))
            if row.level != Applicability.Level.APPLICABLE
        ],
        "levels": [
            {
                "number": level.number,
                "name": level_names[level.number],
                "indicators": level.indicators,
                "risks": level.risks,
            }
            for level in LEVELS
        ],
        "overall": _score(result.overall, level_names)
        | {
            "indicators": LEVELS[overall_level - 1].indicators if overall_level else "",
            "risks": LEVELS[overall_level - 1].risks if overall_level else "",
        },
        "completeness": str(result.completeness),
        "is_complete": result.completeness.is_complete,
        "modules": [
            {
                "code": m.code,
                "name": m.name,
                "score": _score(result.modules[m.code], level_names),
                "applicability": applicability_of(m.code),
            }
            for m in modules
        ],
        "categories": categories_data,
        "extensions": [
            {
                "id": ext_id,
                "name": extension_names[ext_id][0],
                "version": extension_names[ext_id][1],
                "score": engine.format_value(ext.score),
                "level": _level_info(ext.level, level_names),
                "floor": engine.format_value(ext.floor) if ext.floor is not None else None,
                "baseline_weighted": engine.format_value(ext.baseline_weighted),
            }
            for ext_id, ext in result.extensions.items()
        ],
        "improvements": improvements,
        "signoff": signoff_data(signoff),
        # Comparison with the previous signed-off assessment and the open action plans (improvement app).
        **(report_plan_sections(assessment=assessment) if detailed else {"comparison": None, "action_plans": []}),
    }


def _key_kind(key: str, module_codes, category_keys) -> str:
    if key in module_codes:
        return "Module"
    return "Category" if key in category_keys else "Requirement"


def report_data_for(*, report: Report) -> dict:
    """A final report's data as frozen at its sign-off (so later catalogue or name changes cannot alter it);
    drafts, and sign-offs made before data was frozen (imported ones), are built from the live rows."""
    frozen = (report.signoff.snapshot.get("reports") or {}).get(report.type) if report.signoff_id else None
    if report.is_final and frozen:
        return dict(frozen, issued_at=timezone.now().isoformat())
    return report_data_build(assessment=report.assessment, report_type=report.type)


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

    def note(entry):
        applicability = entry.get("applicability")
        return charts.NOT_APPLICABLE if applicability and applicability["level"] == "Not applicable" else ""

    categories = [(f"{c['key']} {c['name']}", c["score"]["value"], note(c)) for c in data["categories"]]
    modules = [(f"{m['code']} {m['name']}", m["score"]["value"], note(m)) for m in data["modules"]]
    level_names = {int(number): name for number, name in data.get("level_names", {}).items()} or None
    return {
        "radar": _svg_data_uri(charts.radar_chart_svg(categories)),
        "modules": _svg_data_uri(charts.module_bar_chart_svg(modules, width=560, level_names=level_names)),
    }


def _type_label(data: dict, report_type: str) -> str:
    assurance = data.get("assurance") or {}
    if report_type == Report.Type.ATTESTATION and not assurance.get("attests", True):
        return "Self-assessment declaration"  # a self-assessment attests nothing: no attestation wording
    return Report.Type(report_type).label


def report_html_render(data: dict, report_type: str) -> str:
    """The report's HTML (print CSS included by reference to the static directory)."""
    if report_type not in REPORT_TEMPLATES:
        raise ReportError(f"Unknown report type {report_type!r}.")
    context = {
        "data": data,
        "report_type": report_type,
        "type_label": _type_label(data, report_type),
        "is_draft": data["signoff"] is None,
        "charts": _chart_items(data),
        "credential_name": CREDENTIAL_NAME,
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


COUNTERSIGN_ANCHOR = "countersign-"
CSS_PX_TO_PT = 0.75


def report_pdf_render(html: str) -> bytes:
    return report_pdf_build(html)[0]


def report_pdf_build(html: str, *, credential: dict | None = None) -> tuple[bytes, list]:
    """(PDF bytes, the counter-signature boxes found in the layout). ``credential`` is embedded as an
    associated file (JSON) that machines read without parsing the pages."""
    import weasyprint

    from reports.signing import SignatureBox

    document = weasyprint.HTML(string=html, base_url=f"{STATIC_DIR}/", url_fetcher=_static_only_fetcher()).render()
    boxes = []
    for number, page in enumerate(document.pages):
        for anchor, (x1, y1, x2, y2) in page.anchors.items():
            if anchor.startswith(COUNTERSIGN_ANCHOR):
                # CSS px from the top left -> PDF points from the bottom left.
                box = (x1 * CSS_PX_TO_PT, (page.height - y2) * CSS_PX_TO_PT, x2 * CSS_PX_TO_PT)
                box = (*box, (page.height - y1) * CSS_PX_TO_PT)
                name = anchor.removeprefix(COUNTERSIGN_ANCHOR)
                boxes.append(SignatureBox(name=name, page=number, box=tuple(round(v) for v in box)))
    attachments = []
    if credential is not None:
        attachments.append(
            weasyprint.Attachment(
                string=json.dumps(credential, indent=1, sort_keys=True, default=str),
                name=CREDENTIAL_NAME,
                description="Machine-readable result of this report (PKIMM assessment credential, JSON)",
                relationship="Data",
            )
        )
    return document.write_pdf(attachments=attachments, finisher=_associate_files), boxes


def _associate_files(document, pdf) -> None:
    """Make the embedded files associated files of the document (catalog /AF, relationship Data), as PDF/A-3
    does, so that the credential is the document's machine-readable counterpart, not a loose attachment."""
    import pydyf

    filespecs = [obj for obj in pdf.objects if isinstance(obj, dict) and obj.get("Type") == "/Filespec"]
    for filespec in filespecs:
        filespec["AFRelationship"] = "/Data"
    if filespecs:
        pdf.catalog["AF"] = pydyf.Array([filespec.reference for filespec in filespecs])


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
