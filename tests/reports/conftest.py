import pytest

from reports.signing import signing_init
from tests.reports.builders import answered_assessment


@pytest.fixture
def signing_dir(settings, tmp_path):
    """This installation's CA and signing certificate, made the way `manage.py init_signing` makes them."""
    directory = tmp_path / "signing"
    signing_init(directory=directory, common_name="PKIMM Test")
    settings.SIGNING_DIR = directory
    settings.SIGNING_P12 = ""
    return directory


@pytest.fixture
def answered(org, lead):
    return answered_assessment(org, user=lead)


@pytest.fixture
def report_data():
    """Report data as report_data_build returns it, written by hand: rendering needs no database."""
    levels = [
        {"number": n, "name": name, "indicators": f"Indicators of {name}.", "risks": f"Risks of {name}."}
        for n, name in enumerate(["Initial", "Basic", "Advanced", "Managed", "Optimized"], start=1)
    ]

    def score(value):
        level = int(value) if value is not None else None
        return {
            "value": value,
            "display": f"{value:.2f}" if value is not None else "–",
            "level": {
                "number": level,
                "name": levels[level - 1]["name"],
                "label": f"{level} {levels[level - 1]['name']}",
            }
            if level
            else None,
            "progress": [100, 100, 50, 0, 0],
            "stats": {"at_level": {}, "not_applicable": 0, "not_assessed": 0, "assessed": 2, "applicable": 2},
        }

    category = {
        "key": "G.1",
        "name": "Strategy and vision",
        "module": "G",
        "weight": 5,
        "score": score(2.5),
        "applicability": None,
        "level_description": "Basic descriptor.",
        "next_level": {"number": 3, "name": "Advanced", "label": "3 Advanced"},
        "next_level_description": "Advanced descriptor.",
        "comments": [{"author": "Ann", "at": "2026-01-02T10:00:00", "body": "Discussed."}],
        "evidence": [],
        "requirements": [
            {
                "key": "G.1.1",
                "title": "A sponsor exists",
                "weight": 3,
                "level": {"number": 2, "name": "Basic", "label": "2 Basic"},
                "notes": "Sponsor named in the charter.",
                "applicability": None,
                "comments": [],
                "evidence": [
                    {
                        "title": "Charter",
                        "kind": "File",
                        "name": "charter.pdf",
                        "url": "",
                        "size": 10,
                        "sha256": "ab" * 32,
                        "by": "Ann",
                        "at": "2026-01-02T10:00:00",
                    }
                ],
            },
            {
                "key": "G.1.2",
                "title": "A roadmap exists",
                "weight": 2,
                "level": None,
                "notes": "",
                "applicability": {"level": "Not applicable", "reason": "Outsourced roadmap.", "inherited": False},
                "comments": [],
                "evidence": [],
            },
        ],
    }
    second = dict(category, key="M.6", name="Key management", module="M", score=score(None), next_level=None)
    return {
        "report_type": "detailed",
        "issued_at": "2026-02-01T12:00:00+00:00",
        "site_name": "PKIMM Assess",
        "organization": {"name": "Plain Data Org"},
        "assessment": {
            "id": 1,
            "name": "Plain assessment",
            "method": "formal",
            "method_label": "Formal assessment",
            "trust_level": "Medium",
            "status": "In review",
            "is_signed_off": False,
            "assessor_type": "External",
            "assessor_name": "Dana",
            "assessor_company": "Assure Ltd",
            "start_date": "2026-01-01",
            "target_date": None,
            "finish_date": "2026-01-31",
            "date": "2026-01-31",
            "environment_design": "Two-tier CA.",
            "environment_interactions": "RA and relying parties.",
            "sampling_notes": "Sampled ten certificates.",
        },
        "model": {"version": "1.1.0", "is_summary": False},
        "use_cases": [{"name": "TLS", "description": "Servers.", "components": "CA", "out_of_scope": "Code signing"}],
        "applicability": [{"key": "G.1.2", "name": "A roadmap exists", "level": "Not applicable", "reason": "Out."}],
        "levels": levels,
        "overall": score(2.5) | {"indicators": "Basic indicators.", "risks": "Basic risks."},
        "completeness": "1 of 2 requirements assessed",
        "is_complete": False,
        "modules": [
            {"code": "G", "name": "Governance", "score": score(2.5)},
            {"code": "M", "name": "Management", "score": score(None)},
        ],
        "categories": [category, second, dict(category, key="G.2", name="Policies")],
        "extensions": [],
        "improvements": [
            {
                "key": "G.1.1",
                "name": "A sponsor exists",
                "kind": "requirement",
                "current": "2.00",
                "current_level": {"number": 2, "name": "Basic", "label": "2 Basic"},
                "target": {"number": 5, "name": "Optimized", "label": "5 Optimized"},
                "gain": "0.30",
            }
        ],
        "signoff": None,
        "comparison": None,
        "action_plans": [],
    }
