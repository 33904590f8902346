"""The test profile: the ordinary settings with PKIMM_TESTING on and a private var/ directory.

DATABASE_URL and REDIS_URL still come from the environment, so CI runs the suite on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("PKIMM_TESTING", "1")
os.environ.setdefault("PKIMM_VAR_DIR", tempfile.mkdtemp(prefix="pkimm-test-var-"))

from pkimm.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests

# A cache per test process even when REDIS_URL is set, so that parallel test processes never share counters;
# the test of the shared (Redis) cache configures it itself.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks run in-process in tests; the real-worker tests switch this off around themselves and start
# their worker processes with PKIMM_CELERY_EAGER=0.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("PKIMM_CELERY_EAGER", "1") != "0"
# Saves compute the summary under their lock in tests (exact at once); the tests of the deferred refresh switch it
# on themselves (tests/assessments/test_summary_deferred.py).
ASSESSMENT_SUMMARY_DEFERRED = env_bool("ASSESSMENT_SUMMARY_DEFERRED", False)  # noqa: F405

# A file (not in-memory) SQLite test database, so that a worker process started by a test can open it.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
