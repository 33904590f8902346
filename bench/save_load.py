"""Answer saves under load, through gunicorn on PostgreSQL, as the questionnaire's htmx form sends them.

    python bench/save_load.py [--users 50] [--think 0.25] [--seconds 30] [--workers 3] [--threads 1]

Creates a throwaway database (``pkimm_bench_save_<pid>`` on BENCH_DATABASE_URL's server, dropped at the end),
the starter model, one organization with ``--users`` assessors and one formal assessment; starts gunicorn on a
free port of 127.0.0.1; then each user saves their own requirement again and again (the version from the last
answer), waiting ``--think`` seconds between saves (50 users x 0.25 s: about 200 saves/s offered).

Prints achieved saves/s, latency p50/p95/p99, errors, and what the machine did meanwhile: CPU-busy % over all
cores (from /proc/stat, including the load generator and anything else running) and the load average before
and after. Goal (issue 17): p95 <= 150 ms and 0 errors at 200 saves/s offered on 2 cores.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
VERSION = re.compile(rb'name="version" value="(\d+)"')


def cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields), idle


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
    return template, sessions


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
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    name = f"pkimm_bench_save_{os.getpid()}"
    admin(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "DJANGO_SETTINGS_MODULE": "pkimm.test_settings",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("REDIS_URL", None)  # saves enqueue nothing; sessions and caches stay in each process
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "LOG_LEVEL")})
    os.environ.pop("REDIS_URL", None)
    gunicorn = None
    try:
        template, sessions = build(args.users)
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
        total0, idle0 = cpu_times()
        errors_before = len(errors)
        time.sleep(args.seconds)
        total1, idle1 = cpu_times()
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
            f"gunicorn workers={args.workers} threads={args.threads} cores={os.cpu_count()}"
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
        if errors:
            print("first errors:", errors[:3])
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
