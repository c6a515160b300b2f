"""Console security, with a real HTTP client against the app: login, roles, CSRF,
escaping, lockout and the sender links."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.console_fixtures import PASSWORD, Console, held, make_console
from tests.relay_harness import Sink
from tests.test_review import HIGH, MEDIUM, SENDER


@pytest.fixture()
def console(tmp_path: Path, sinks: tuple[Sink, Sink]) -> Console:
    return make_console(tmp_path, *sinks)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"name": name, "password": password, "csrf": csrf})
    return response.text


def csrf_of(client: TestClient, path: str = "/") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def test_pages_need_login(console: Console) -> None:
    client = TestClient(console.app)
    for path in ("/", "/dashboard", "/audit", "/users", "/audit.csv", "/m/Q-2026-000001"):
        response = client.get(path)
        assert response.url.path == "/login", path
        assert "Log in" in response.text


def test_reviewer_cannot_manage_users(console: Console) -> None:
    client = TestClient(console.app)
    login(client, "rita")
    assert client.get("/users").status_code == 403
    admin = TestClient(console.app)
    login(admin, "ada")
    assert admin.get("/users").status_code == 200


def test_form_without_csrf_token_is_refused(console: Console) -> None:
    ref = held(console, MEDIUM)
    client = TestClient(console.app)
    login(client, "rita")
    assert client.post(f"/m/{ref}/reject", data={"reason": "no"}).status_code == 403
    assert client.post(f"/m/{ref}/reject", data={"reason": "no", "csrf": "forged"}).status_code == 403
    assert console.review.get(ref).status == "held"
    assert client.post(f"/m/{ref}/reject", data={"reason": "no lawful basis", "csrf": csrf_of(client)}).status_code == 200
    assert console.review.get(ref).status == "rejected"


def test_script_in_subject_or_body_is_shown_as_text(console: Console) -> None:
    ref = held(console, "<script>alert('x')</script> Please ask Mum Anna Nowak to ring.\n\nThanks,\nJo Bloggs\n",
               subject="<script>alert(1)</script> trip")
    client = TestClient(console.app)
    login(client, "rita")
    page = client.get(f"/m/{ref}").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_lockout_after_repeated_failures(console: Console) -> None:
    client = TestClient(console.app)
    for _ in range(5):
        assert "wrong name or password" in login(client, "rita", "not the password")
    assert "locked" in login(client, "rita")  # even the right password is refused now
    assert "wrong name or password" in login(client, "nobody-at-all")


def test_sender_link_tampered_reused_and_expired(console: Console) -> None:
    ref = held(console, HIGH)
    links = console.app.state.links  # type: ignore[attr-defined]
    token = links.make(ref, SENDER)
    client = TestClient(console.app)
    assert client.get(f"/s/{token}").status_code == 200
    assert client.get(f"/s/{token[:-2]}xx").status_code == 403
    assert "943 *** **19" in client.get(f"/s/{token}").text and "943 476 5919" not in client.get(f"/s/{token}").text
    first = client.post(f"/s/{token}/request", data={"justification": "court asked", "basis": "court order"})
    assert first.status_code == 200 and "gone to the reviewers" in first.text
    again = client.post(f"/s/{token}/request", data={"justification": "again", "basis": "court order"})
    assert again.status_code == 403 and "already been used" in again.text
    old_max_age = links.max_age
    links.max_age = 1
    try:
        stale = links.make(ref, SENDER)
        time.sleep(2.1)
        assert client.get(f"/s/{stale}").status_code == 403
    finally:
        links.max_age = old_max_age
    assert any(e.action == "sender-release-request" for e in console.review.store.audit_entries())


def test_users_cli_add_passwd_disable(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.relay_harness import ROOT

    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[quarantine]\nurl = "sqlite:///{tmp_path / "q.db"}"\n')

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "gateway.cli", "users", *args, "--config", str(cfg)], cwd=ROOT,
                              input=stdin, capture_output=True, text=True)

    assert run("add", "rita", "--role", "reviewer", stdin="short\n").returncode == 1  # too short
    assert run("add", "rita", "--role", "reviewer", stdin="a long enough passphrase\n").returncode == 0
    assert "already exists" in run("add", "rita", "--role", "admin", stdin="a long enough passphrase\n").stderr
    assert run("passwd", "rita", stdin="another long passphrase\n").returncode == 0
    assert run("disable", "rita").returncode == 0
    from gateway.console.accounts import AccountError, authenticate
    from gateway.store import QuarantineStore

    with pytest.raises(AccountError):
        authenticate(QuarantineStore(f"sqlite:///{tmp_path / 'q.db'}"), "rita", "another long passphrase")


def test_failed_logins_are_rate_limited_per_client(console: Console) -> None:
    client = TestClient(console.app)
    for i in range(20):
        login(client, f"nobody{i}", "wrong password here")
    assert "too many failed logins from this address" in login(client, "rita")
