"""The route a newcomer takes, as the README prints it: `make run` on a fresh state directory (SQLite, tasks
in-process, no REDIS_URL, no SECRET_KEY), then, in real headless Chromium, sign in with the printed credentials,
sign off the demo assessment, download its signed report and check it at /verify/; then the README's other
development commands, in order, as printed (the example paths point at files the tests write).

The server is a separate process with its own database under a temporary PKIMM_VAR_DIR: nothing of the test
database or the test settings reaches it.
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from core.demo import DEMO_ASSESSMENT, DEMO_BASELINE
from tests.catalog.files import own_files_dir
from tests.csp import watch_csp
from tests.services import require_chromium

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BLOCK_MARK = "<!-- tests/test_fresh_clone_route.py runs this block in order, as printed -->"
SCREENSHOTS = Path("/tmp/pkimm-fresh-clone")
# Settings of this test process that a newcomer's shell does not have.
NOT_IN_A_NEW_SHELL = (
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "PKIMM_TESTING",
    "PKIMM_CELERY_EAGER",
    "DJANGO_SETTINGS_MODULE",
    "PKIMM_SIGNING_DIR",
    "PKIMM_SIGNING_P12",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
)
SERVE_TIMEOUT = 900  # seconds: migrations, the demo's signed report; a loaded CI machine is slow
COMMAND_TIMEOUT = 600


def readme_development_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split(BLOCK_MARK, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`make run` in its own process group, its output collected line by line."""

    def __init__(self, command: str, env: dict):
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            shlex.split(command),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until_served(self, url: str) -> None:
        deadline = time.monotonic() + SERVE_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"`make run` stopped with {self.process.returncode}:\n{self.output[-4000:]}")
            try:
                with urllib.request.urlopen(url + "accounts/login/", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(1)
        pytest.fail(f"`make run` did not serve {url} within {SERVE_TIMEOUT}s:\n{self.output[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # make, runserver and its autoreloader child
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def printed_password(output: str) -> str:
    return re.findall(r"password: (\S+)", output)[-1]


def run_printed(command: str, env: dict) -> str:
    """One README command as printed, the example folder ``path/to/`` being the tests' own files."""
    argv = [word.replace("path/to/", f"{own_files_dir()}/") for word in shlex.split(command)]
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"`{command}` failed with {done.returncode}:\n{output[-4000:]}"
    return output


def sign_in(page, url: str, password: str) -> None:
    page.goto(url + "accounts/login/")
    page.fill("input[name=login]", "demo@example.com")
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda current: "/accounts/login/" not in current)


def browser_route(browser, url: str, password: str, tmp_path: Path) -> None:
    """Sign in, sign off the demo assessment, download its signed report, check it at /verify/."""
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    violations = watch_csp(page)
    sign_in(page, url, password)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    page.goto(url + "o/demo/assessments/")
    page.get_by_role("link", name=DEMO_BASELINE).first.click()
    page.goto(page.url.replace("/assessments/", "/results/", 1))
    page.screenshot(path=str(SCREENSHOTS / "baseline-results.png"), full_page=True)
    page.goto(url + "o/demo/plans/trend/")
    page.screenshot(path=str(SCREENSHOTS / "trend.png"), full_page=True)

    page.goto(url + "o/demo/assessments/")
    page.get_by_role("link", name=DEMO_ASSESSMENT).first.click()
    page.get_by_role("link", name="Sign off…").first.click()
    statement = page.locator("textarea[name=statement]")
    # The form comes prefilled with the checklist's open items, which a sign-off must name: keep them.
    statement.fill(statement.input_value() + "\nThe answers reflect our PKI as reviewed (fresh-clone test).")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    expect(page.get_by_text("Assessment signed off. It is now read-only.")).to_be_visible()

    page.get_by_role("link", name="Reports").first.click()
    page.locator("form:has(input[name=type][value=detailed]) button").click()
    download_link = page.get_by_role("link", name="Download").first
    expect(download_link).to_be_visible()
    expect(page.get_by_text("Final, signed").first).to_be_visible()
    expect(page.get_by_text("Failed")).to_have_count(0)
    with page.expect_download() as download_info:
        download_link.click()
    report = tmp_path / "report.pdf"
    download_info.value.save_as(report)
    assert report.read_bytes().startswith(b"%PDF")
    page.screenshot(path=str(SCREENSHOTS / "reports.png"), full_page=True)
    assert not violations, f"Content-Security-Policy violations: {violations}"

    context.close()

    anonymous = browser.new_context()  # anyone can verify: no sign-in
    verify = anonymous.new_page()
    verify.set_default_timeout(120_000)
    verify.goto(url + "verify/")
    verify.set_input_files("input[name=file]", str(report))
    verify.get_by_role("button", name="Verify").click()
    expect(verify.get_by_text("Genuine and unchanged")).to_be_visible()
    # .first: the verification page names them in its summary and again in the embedded credential.
    expect(verify.get_by_text(DEMO_ASSESSMENT).first).to_be_visible()
    expect(verify.get_by_text("Demo PKI Team").first).to_be_visible()
    verify.screenshot(path=str(SCREENSHOTS / "verify.png"), full_page=True)
    anonymous.close()


@pytest.fixture
def browser():
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def test_readme_development_route_from_make_run_to_a_verified_signed_report(browser, tmp_path):
    commands = readme_development_commands()
    assert commands[0] == "make run", commands
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_A_NEW_SHELL}
    env["PKIMM_VAR_DIR"] = str(tmp_path / "var")  # a fresh clone's var/, outside the repository
    port = free_port()

    server = Server(f"{commands[0]} HOST=127.0.0.1 PORT={port}", env)
    try:
        url = f"http://127.0.0.1:{port}/"
        server.wait_until_served(url)
        assert f"Demo ready. Sign in at {url} with" in server.output
        assert "Signing CA and certificate written to" in server.output
        assert "signed report failed" not in server.output
        password = printed_password(server.output)

        browser_route(browser, url, password, tmp_path)

        for command in commands[1:]:
            output = run_printed(command, env)
            if command.startswith("make import "):
                assert re.search(r"(Imported|Replaced the texts of) PKIMM \d", output), output
            elif command.startswith("make import-extension "):
                assert "Imported extension pqc 0.1.0" in output, output
            elif command == "make signing":
                assert "Reports are signed with the certificate in" in output, output
            elif command == "make demo":
                password = printed_password(output)
                assert "Created" not in output  # the demo exists: nothing added twice

        # The server still serves, with what the commands changed, and the last printed password works.
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(120_000)
        sign_in(page, url, password)
        page.goto(url + "catalog/")
        assert "1.0.0" in page.content()
        context.close()
    finally:
        server.stop()
