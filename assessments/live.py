"""Live co-editing of a category page: who else is on it (presence) and which answers changed.

An open category page polls one cheap endpoint every few seconds (``LIVE_POLL_SECONDS``). Each poll
marks its user present on that page and asks for the answers changed since its previous poll:

- Presence is a Redis hash per assessment and category (user id -> name and time of the last poll),
  when REDIS_URL is set; without Redis (``make run``) a dictionary in this process. A person counts as
  present while they polled within ``PRESENCE_SECONDS``. A page being left (pagehide, or hidden) sends a
  beacon that removes its user at once (``presence_leave``); the expiry stays as the fallback when no
  beacon arrives (crash, network).
- Every committed answer change records the time of the assessment's last change in the cache. A poll
  that finds no change since its cursor returns without querying answers; otherwise it reads the
  answers of the category updated within a window before the cursor (``CHANGE_WINDOW_SECONDS``, longer
  than any save transaction) and the page ignores versions it already has.
"""

import json
import threading
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

POLL_SECONDS = 3
PRESENCE_SECONDS = 10
CHANGE_WINDOW_SECONDS = 30


def _namespace() -> str:
    # Several databases (e.g. parallel test workers) may share one Redis database.
    return f"pkimm:{settings.DATABASES['default']['NAME']}"


def _last_change_key(assessment_id) -> str:
    return f"{_namespace()}:answers-changed:{assessment_id}"


def answers_changed_signal(*, assessment_id) -> None:
    """Inside the saving transaction: once it commits, polls of this assessment look for changes."""
    transaction.on_commit(lambda: cache.set(_last_change_key(assessment_id), time.time(), CHANGE_WINDOW_SECONDS * 20))


def answers_may_have_changed(*, assessment_id, since: float) -> bool:
    """False only when the cache knows the assessment's last change and it is older than ``since``."""
    last = cache.get(_last_change_key(assessment_id))
    return last is None or last >= since


# ---------------------------------------------------------------------------------------------
# Presence
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


_local_presence: dict[str, dict[str, str]] = {}
_local_lock = threading.Lock()


def _presence_key(assessment_id, category_key) -> str:
    return f"{_namespace()}:presence:{assessment_id}:{category_key}"


def presence_leave(*, assessment_id, category_key: str, user) -> None:
    """``user`` left the page: colleagues' next poll no longer lists them."""
    key = _presence_key(assessment_id, category_key)
    if settings.REDIS_URL:
        _redis().hdel(key, str(user.pk))
    else:
        with _local_lock:
            _local_presence.get(key, {}).pop(str(user.pk), None)


def presence_touch(*, assessment_id, category_key: str, user, label: str) -> list[dict]:
    """Mark ``user`` present on the page now; returns everyone present (oldest first): id, name."""
    key = _presence_key(assessment_id, category_key)
    now = time.time()
    value = json.dumps({"name": label, "at": now})
    if settings.REDIS_URL:
        pipe = _redis().pipeline()
        pipe.hset(key, str(user.pk), value)
        pipe.expire(key, PRESENCE_SECONDS * 6)
        pipe.hgetall(key)
        entries = {k.decode(): v.decode() for k, v in pipe.execute()[-1].items()}
    else:
        with _local_lock:
            entries = _local_presence.setdefault(key, {})
            entries[str(user.pk)] = value
            entries = dict(entries)
    present, stale = [], []
    for user_id, raw in entries.items():
        entry = json.loads(raw)
        if entry["at"] < now - PRESENCE_SECONDS:
            stale.append(user_id)
        else:
            present.append({"id": int(user_id), "name": entry["name"], "at": entry["at"]})
    if stale:
        if settings.REDIS_URL:
            _redis().hdel(key, *stale)
        else:
            with _local_lock:
                for user_id in stale:
                    _local_presence.get(key, {}).pop(user_id, None)
    present.sort(key=lambda entry: entry["at"])
    return [{"id": entry["id"], "name": entry["name"]} for entry in present]
