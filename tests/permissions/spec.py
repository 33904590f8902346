"""How an app declares the expected access to its URLs, for the permission matrix.

Each ``tests/permissions/matrix_<app>.py`` defines ``CASES: list[Case]`` and optionally
``prepare(world) -> None`` that creates the objects its URLs need and stores them on
``world.objects`` (a dict). ``test_matrix.py`` checks every Case for every role and fails
when a URL pattern of the project has no Case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("owner", "lead", "assessor", "viewer", "outsider", "anonymous")

LOGIN = "login"  # anonymous users are redirected to the sign-in page
NOT_FOUND = 404
FORBIDDEN = 403


@dataclass
class World:
    org: object
    other_org: object
    users: dict  # role name -> User (outsider: owner of other_org only)
    objects: dict = field(default_factory=dict)


@dataclass
class Case:
    url_name: str  # "namespace:name" as given to reverse()
    kwargs: Callable[[World], dict]
    expect: dict  # role -> int status, a tuple of allowed statuses, or LOGIN
    method: str = "get"
    data: Callable[[World], dict] | None = None  # POST body; keep it harmless (invalid is fine)
    label: str = ""  # tells apart several Cases of one URL (e.g. GET and POST)


def org_kwargs(world: World, **extra) -> dict:
    return {"org_slug": world.org.slug, **extra}


def by_role(
    ok=200,
    *,
    allowed=("owner", "lead", "assessor", "viewer"),
    denied=FORBIDDEN,
    outsider=NOT_FOUND,
    anonymous=LOGIN,
) -> dict:
    """Expectation for an organization URL: ``allowed`` roles get ``ok``, other members ``denied``."""
    expect = {role: (ok if role in allowed else denied) for role in ("owner", "lead", "assessor", "viewer")}
    expect["outsider"] = outsider
    expect["anonymous"] = anonymous
    return expect


def everyone(ok=200) -> dict:
    """A public URL: the same answer for everybody."""
    return {role: ok for role in ROLES}


def signed_in(ok=200) -> dict:
    """A URL for any signed-in user, outside organizations."""
    expect = {role: ok for role in ROLES}
    expect["anonymous"] = LOGIN
    return expect


OWNER = ("owner",)
MANAGERS = ("owner", "lead")
WORKERS = ("owner", "lead", "assessor")
MEMBERS = ("owner", "lead", "assessor", "viewer")
