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


@pytest.fixture
def tsa_server(signing_dir, tmp_path):
    """A real RFC 3161 timestamp authority on 127.0.0.1 (pyHanko's timestamper behind a small HTTP handler).

    It holds the installation's TSA key, moved out of the signing directory so that the signer can only
    timestamp through HTTP. Yields (url, list of the requests it answered).
    """
    import asyncio
    import shutil
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from asn1crypto import tsp
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.timestamps import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from reports import signing

    server_dir = tmp_path / "tsa"
    server_dir.mkdir()
    for name in (signing.TSA_CERT_FILE, signing.TSA_KEY_FILE):
        shutil.move(signing_dir / name, server_dir / name)
    stamper = DummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(server_dir / signing.TSA_CERT_FILE)),
        tsa_key=load_private_key_from_pemder(str(server_dir / signing.TSA_KEY_FILE), passphrase=None),
        certs_to_embed=SimpleCertificateStore.from_certs([load_cert_from_pemder(str(signing_dir / "ca-cert.pem"))]),
    )
    answered = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            response = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            answered.append(request)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(response)))
            self.end_headers()
            self.wfile.write(response)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", answered
    finally:
        server.shutdown()
        server.server_close()


def statement_naming_open_items(assessment, statement: str) -> str:
    """The statement plus the keys of the sign-off checklist's open items, as a person signing off with them must."""
    from assessments.services.workflow import sign_off_check

    keys = [item["key"] for item in sign_off_check(assessment=assessment).checklist_items]
    return f"{statement}\nOpen items: {', '.join(keys)}." if keys else statement


def workflow_sign_off(assessment, *, user, statement="We confirm these results.", countersigners=()):
    """Sign off through the real services (review requested, every category accepted), as the pages do."""
    from io import StringIO

    from django.core.management import call_command

    from assessments.models import Assessment, SignOff

    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.IN_PROGRESS)
    args = [str(assessment.pk), "--as", user.email, "--statement", statement_naming_open_items(assessment, statement)]
    for person in countersigners:
        args += ["--countersigner", person]
    out = StringIO()
    call_command("signoff_assessment", *args, stdout=out, stderr=StringIO())
    assessment.refresh_from_db()
    return SignOff.objects.get(pk=int(out.getvalue().strip()))
