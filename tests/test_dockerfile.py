"""The container image runs the application as an unprivileged user."""

from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def test_the_image_runs_as_an_unprivileged_user():
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    users = [line.split(None, 1)[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    last_user = max(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert last_user < next(i for i, line in enumerate(lines) if line.startswith("CMD "))
    assert any("useradd --system" in line for line in lines)
