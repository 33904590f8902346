from tests.permissions.spec import LOGIN, ROLES, Case, everyone

# Every signed-in person edits their own profile (name and job title); nobody else's.
CASES = [
    Case("profile", lambda w: {}, {role: (LOGIN if role == "anonymous" else 200) for role in ROLES}),
    # The icon browsers ask for: a redirect to the vendored static file, for everybody.
    Case("favicon", lambda w: {}, everyone(301)),
]
