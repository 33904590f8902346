"""Benchmark: the detailed report of a fully answered PKIMM 1.1.0 formal assessment.

Renders it through the application's pipeline (data from the database -> HTML -> PDF with the
static-only fetcher) and, in the same run, the same HTML with bare WeasyPrint; prints both times
(median of several interleaved runs after a warm-up) and their ratio.
Goals: ratio at most 1.3, detailed report under 5 s.

    python bench/report_render.py [--runs 5]

Uses a throw-away SQLite database and model 1.1.0 as the built-in starter model has it (tests/factories.py).
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK_DIR = tempfile.mkdtemp(prefix="pkimm-bench-")
os.environ["PKIMM_VAR_DIR"] = WORK_DIR
os.environ["DATABASE_URL"] = f"sqlite:///{WORK_DIR}/bench.sqlite3"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkimm.test_settings")

import django  # noqa: E402

django.setup()

import pypdf  # noqa: E402
import weasyprint  # noqa: E402
from django.core.management import call_command  # noqa: E402

from organizations.models import Organization  # noqa: E402
from reports import rendering  # noqa: E402
from tests.reports.builders import answered_assessment  # noqa: E402

RATIO_GOAL = 1.3
SECONDS_GOAL = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", help="also write the PDF here")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="Bench Trust Services", slug="bench")
    assessment = answered_assessment(organization, name="Benchmark assessment")
    answered = assessment.answers.count()
    print(f"Assessment: PKIMM {assessment.model_version.version}, formal, {answered} requirement answers")

    # Warm-up: fonts, templates and CSS parsing caches, so that both sides are measured warm.
    pdf, _data, _timings = rendering.report_render_bytes(assessment=assessment, report_type="detailed")
    html = rendering.report_html_render(_data, "detailed")
    weasyprint.HTML(string=html, base_url=f"{rendering.STATIC_DIR}/").write_pdf()

    # Wall-clock and CPU time of this process: on a shared, loaded machine the CPU time is the stable figure.
    ours, bare, ours_cpu, bare_cpu, parts = [], [], [], [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf, data, timings = rendering.report_render_bytes(assessment=assessment, report_type="detailed")
        ours.append(time.perf_counter() - started)
        ours_cpu.append(time.process_time() - started_cpu)
        parts.append(timings)
        html = rendering.report_html_render(data, "detailed")
        started, started_cpu = time.perf_counter(), time.process_time()
        weasyprint.HTML(string=html, base_url=f"{rendering.STATIC_DIR}/").write_pdf()
        bare.append(time.perf_counter() - started)
        bare_cpu.append(time.process_time() - started_cpu)
    if args.output:
        Path(args.output).write_bytes(pdf)

    median = statistics.median
    ratio, ratio_cpu = median(ours) / median(bare), median(ours_cpu) / median(bare_cpu)
    print(f"Detailed report: {len(pdf) / 1024:.0f} KiB, {len(pypdf.PdfReader(io.BytesIO(pdf)).pages)} pages")
    load = os.getloadavg()[0]
    print(f"Medians of {args.runs} runs after a warm-up (load average now {load:.1f} on {os.cpu_count()} cores):")
    print(
        f"  application pipeline:       {median(ours):.2f} s wall, {median(ours_cpu):.2f} s CPU "
        f"(data {median(p['data'] for p in parts):.2f} s, HTML {median(p['html'] for p in parts):.2f} s, "
        f"PDF {median(p['pdf'] for p in parts):.2f} s wall)"
    )
    print(f"  bare WeasyPrint, same HTML: {median(bare):.2f} s wall, {median(bare_cpu):.2f} s CPU")
    print(f"  ratio: {ratio:.2f} wall, {ratio_cpu:.2f} CPU (goal <= {RATIO_GOAL})")
    fast = median(ours) < SECONDS_GOAL
    print(f"  detailed report under {SECONDS_GOAL:.0f} s wall: {'yes' if fast else 'NO'}")
    return 0 if min(ratio, ratio_cpu) <= RATIO_GOAL and fast else 1


if __name__ == "__main__":
    sys.exit(main())
