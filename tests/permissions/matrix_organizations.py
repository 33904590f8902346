from tests.permissions.spec import OWNER, Case, by_role, org_kwargs, signed_in

CASES = [
    Case("home", lambda w: {}, signed_in()),
    Case("org_home", org_kwargs, by_role()),
    Case("org_members", org_kwargs, by_role(allowed=OWNER)),
    Case("org_audit", org_kwargs, by_role(allowed=OWNER)),
]
