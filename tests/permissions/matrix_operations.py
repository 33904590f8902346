"""Operations URLs for load balancers and monitoring: the same answer for everybody, no data of any organization."""

from tests.permissions.spec import Case, everyone

CASES = [
    Case("healthz", lambda w: {}, everyone()),
    # 503 where a dependency is missing in the test setup (e.g. no signing material): never a sign-in page.
    Case("readyz", lambda w: {}, everyone((200, 503))),
    Case("metrics", lambda w: {}, everyone()),
]
