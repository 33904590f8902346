"""Answer saves under load, through gunicorn on PostgreSQL, as the questionnaire's htmx form sends them.

    python bench/save_load.py [--users 50] [--think 0.25] [--seconds 30] [--workers 2] [--threads 1]
                              [--summary deferred|inline] [--no-redis]

Runs as production does: the production settings (DEBUG off), Redis for sessions, caches and the task queue
(``BENCH_REDIS_URL``, default database 14, which the bench empties before and after), and one Celery worker
for the deferred summary refresh. ``--no-redis``: caches per process and tasks in-process, as ``make run``.

Creates a throwaway database (``pkimm_bench_save_<pid>`` on BENCH_DATABASE_URL's server, dropped at the end),
the starter model, one organization with ``--users`` assessors and one formal assessment; starts gunicorn on a
free port of 127.0.0.1; then each user saves their own requirement again and again (the version from the last
answer), waiting ``--think`` seconds between saves (50 users x 0.25 s: about 200 saves/s offered).

Prints achieved saves/s, latency p50/p95/p99, errors, and what the machine did meanwhile: CPU-busy % over all
cores (from /proc/stat, including the load generator and anything else running) and the load average before
and after; the CPU time per save of each part (gunicorn workers, PostgreSQL backends of the bench database, the
Celery worker, this load generator), from /proc, which holds however busy the machine is otherwise; at the end,
whether the stored summary equals a fresh computation. Goal (issue 17): p95 <= 150 ms
and 0 errors at 200 saves/s offered on 2 cores.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
VERSION = re.compile(rb'name="version" value="(\d+)"')


def cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields), idle


TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return [pid] + [d for child in children for d in descendants(child)]


def database_backends(name: str) -> list[int]:
    """PostgreSQL backend processes serving database ``name`` (same machine)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f" {name} ".encode() in (entry / "cmdline").read_bytes().replace(b"\0", b" ") + b" ":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def redis_server_pids() -> list[int]:
    """The Redis server's process if it runs on this machine (shared with anything else using it)."""
    return [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/comm") if _read(p) == "redis-server"]


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def cpu_by_part(parts: dict[str, list[int]]) -> dict[str, dict[int, float]]:
    return {part: {pid: process_cpu_seconds(pid) for pid in pids} for part, pids in parts.items()}


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name: str) -> str:
    parsed = urlparse(SERVER)
    return parsed._replace(path=f"/{name}").geturl()


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(sql)


def redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def build(users: int):
    """Data for the run, written through Django; returns (save URL with SLOT, [(session key, slot)])."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from assessments.models import Assessment
    from catalog.models import ModelVersion
    from organizations.models import Membership, Organization
    from organizations.roles import Role

    call_command("migrate", verbosity=0)
    call_command("load_starter_model", verbosity=0)
    org = Organization.objects.create(name="Bench PKI", slug="bench")
    model_version = ModelVersion.objects.order_by("-imported_at").first()
    assessment = Assessment.objects.create(
        organization=org,
        model_version=model_version,
        name="Bench assessment",
        method=Assessment.Method.FORMAL,
        status=Assessment.Status.IN_PROGRESS,
    )
    keys = list(model_version.requirements.order_by("key").values_list("key", flat=True))
    sessions = []
    for i in range(users):
        user = User.objects.create_user(username=f"u{i}@bench.test", email=f"u{i}@bench.test", password="x")
        Membership.objects.create(organization=org, user=user, role=Role.ASSESSOR)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append((store.session_key, keys[i % len(keys)]))
    from django.urls import reverse

    template = reverse(
        "assessments:answer_save", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk, "slot": "SLOT"}
    )
    return template, sessions, assessment.pk


def summary_check(assessment_id) -> str:
    """Whether the stored summary equals a fresh computation, after the last refresh had time to run."""
    from assessments.models import Assessment
    from assessments.selectors_scores import assessment_summary_values

    assessment = Assessment.objects.select_related("model_version").get(pk=assessment_id)
    fresh = assessment_summary_values(assessment=assessment)
    stored = {name: getattr(assessment, name) for name in fresh}
    state = "exact" if stored == fresh and assessment.summary_is_current else f"NOT exact: {stored} vs {fresh}"
    return f"summary after the run: {state} (write_version {assessment.write_version})"


def user_loop(port, path_for, session_key, slot, think, stop, results, errors):
    csrf = "b" * 32
    headers = {
        "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    version, level = 0, 1
    while not stop.is_set():
        level = level % 5 + 1
        body = f"level={level}&notes=bench&version={version}"
        started = time.perf_counter()
        try:
            conn.request("POST", path_for(slot), body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            errors.append(repr(error))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(think)
            continue
        elapsed = time.perf_counter() - started
        found = VERSION.search(content)
        if response.status != 200 or b"Saved" not in content or not found:
            errors.append(f"{response.status}: {content[:120]!r}")
        else:
            version = int(found.group(1))
            results.append((time.monotonic(), elapsed))
        time.sleep(think)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=0.25)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--summary", choices=("deferred", "inline"), default="deferred")
    parser.add_argument("--no-redis", action="store_true", help="no Redis: per-process caches, tasks in-process")
    args = parser.parse_args()

    name = f"pkimm_bench_save_{os.getpid()}"
    admin(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "DJANGO_SETTINGS_MODULE": "pkimm.settings",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on 127.0.0.1, as behind a TLS-terminating proxy
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "PKIMM_VAR_DIR": tempfile.mkdtemp(prefix="pkimm-bench-"),
        "LOG_LEVEL": "ERROR",
        "ASSESSMENT_SUMMARY_DEFERRED": "true" if args.summary == "deferred" else "false",
        "REDIS_URL": "" if args.no_redis else REDIS,
        "CELERY_KEY_PREFIX": f"pkimm-bench-{os.getpid()}:",
    }
    os.environ.update(env)
    if not args.no_redis:
        redis_flush()
    gunicorn = worker = None
    try:
        template, sessions, assessment_id = build(args.users)
        from django.db import connections

        connections.close_all()
        port = free_port()
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "pkimm.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--backlog",
                "512",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not args.no_redis:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "pkimm", "worker", "-Q", "default", "-c", "1", "-l", "ERROR"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        for _ in range(200):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)

        def path_for(slot):
            return template.replace("SLOT", slot)

        results, errors, stop = [], [], threading.Event()
        threads = [
            threading.Thread(
                target=user_loop, args=(port, path_for, key, slot, args.think, stop, results, errors), daemon=True
            )
            for key, slot in sessions
        ]
        load_before = os.getloadavg()
        for thread in threads:
            thread.start()
            time.sleep(args.think / len(threads))  # spread the users over one think time
        time.sleep(args.warmup)
        measured_from = time.monotonic()
        parts = {
            "gunicorn": descendants(gunicorn.pid),
            "postgresql": database_backends(name),
            "celery": descendants(worker.pid) if worker else [],
            "redis": [] if args.no_redis else redis_server_pids(),
        }
        total0, idle0 = cpu_times()
        part0, own0 = cpu_by_part(parts), time.process_time()
        errors_before = len(errors)
        time.sleep(args.seconds)
        total1, idle1 = cpu_times()
        parts["postgresql"] = database_backends(name)  # with any connection opened meanwhile (counted from 0)
        part1, own1 = cpu_by_part(parts), time.process_time()
        measured_to = time.monotonic()
        load_after = os.getloadavg()
        stop.set()
        for thread in threads:
            thread.join(timeout=35)
        window = sorted(e for t, e in results if measured_from <= t <= measured_to)
        errors_in_window = len(errors) - errors_before
        if not window:
            print("no successful saves", errors[:5])
            return
        quantiles = statistics.quantiles(window, n=100)
        busy = 100 * (1 - (idle1 - idle0) / (total1 - total0))
        print(
            f"users={args.users} think={args.think}s offered~{args.users / args.think:.0f}/s "
            f"gunicorn workers={args.workers} threads={args.threads} cores={os.cpu_count()} "
            f"summary={args.summary} redis={'no' if args.no_redis else 'yes'}"
        )
        print(
            f"saves/s={len(window) / (measured_to - measured_from):.1f}  "
            f"p50={1000 * statistics.median(window):.0f} ms  p95={1000 * quantiles[94]:.0f} ms  "
            f"p99={1000 * quantiles[98]:.0f} ms  errors={errors_in_window}"
        )
        print(
            f"cpu busy={busy:.0f}% (all processes)  load average before={load_before[0]:.2f} "
            f"after={load_after[0]:.2f} (1 min)"
        )
        saves = len(window)
        spent = {part: 1000 * cpu_spent(part0[part], part1[part]) / saves for part in parts}
        spent["load generator"] = 1000 * (own1 - own0) / saves
        print(
            "CPU ms per save: "
            + "  ".join(f"{part} {ms:.2f}" for part, ms in spent.items())
            + f"  total {sum(spent.values()):.2f} (2 cores: at most {2000 / sum(spent.values()):.0f} saves/s)"
        )
        if errors:
            print("first errors:", errors[:3])
        time.sleep(3)  # the last deferred refresh (ASSESSMENT_SUMMARY_DELAY, 1 s) has run
        print(summary_check(assessment_id))
    finally:
        for process in (gunicorn, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not args.no_redis:
            redis_flush()


if __name__ == "__main__":
    main()
