"""A Tor onion service in front of Kenes (docs/tor.md), as the Tor daemon would reach it.

Tor is not on this machine's network, so the test plays the daemon's part exactly: it
connects to the onion process (gunicorn with `--proxy-protocol v1`, production settings,
KENES_ONION_HOST) on 127.0.0.1 and, as `HiddenServiceExportCircuitID haproxy` makes Tor do,
starts each connection with a PROXY line whose source address encodes the Tor circuit
(fc00:dead:beef:4dad::/64). Checked: the process serves the onion name over plain HTTP
without sending anyone to HTTPS, refuses any other name, and keeps the wrong-code throttle
per circuit, so one guesser behind Tor does not lock out every member who votes over Tor.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import isolated_env
from tests.listening import free_port, wait_until_listening
from tests.registry.test_commands import kenes

ONION = "kenesdemo" + "a" * 46 + "d.onion"  # 56 letters of base32, a v3 address's shape


def onion_env(var: Path, **extra: str) -> dict[str, str]:
    env = isolated_env(
        {
            "KENES_ENV": "production",
            "KENES_SECRET_KEY": secrets.token_urlsafe(60),
            "KENES_FIELD_KEYS": kenes("keygen").stdout.strip(),
            "KENES_SERVICE_KEY": kenes("keygen").stdout.strip(),
            "KENES_ONION_HOST": ONION,
            "KENES_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'kenes.sqlite3'}",
        }
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_for_the_onion_process(tmp_path):
    env = onion_env(
        tmp_path / "var", DATABASE_URL="postgres://kenes@127.0.0.1:5432/kenes"
    )  # checks never connect
    done = kenes("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", ["kenes.example.org", "short.onion", "x" * 56 + ".onion"])
def test_a_name_that_is_not_a_v3_onion_address_is_an_error(tmp_path, name):
    env = onion_env(
        tmp_path / "var",
        DATABASE_URL="postgres://kenes@127.0.0.1:5432/kenes",
        KENES_ONION_HOST=name,
    )
    done = kenes("check", "--deploy", env=env)
    assert done.returncode != 0 and "kenes.E011" in done.stderr


@dataclass
class OnionProcess:
    port: int

    def request(self, raw: str, circuit: int | None) -> tuple[int, dict[str, str], str]:
        """One HTTP/1.0 exchange, preceded by Tor's PROXY line for `circuit` (None: no line)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as conn:
            if circuit is not None:
                high, low = circuit >> 16, circuit & 0xFFFF
                source = f"fc00:dead:beef:4dad::{high:x}:{low:x}"
                conn.sendall(f"PROXY TCP6 {source} ::1 {circuit % 60000 + 1} 80\r\n".encode())
            conn.sendall(raw.encode())
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), "")
            headers[name.strip().lower()] += value.strip() + "\n"
        return status, headers, body.decode("utf-8", "replace")

    def get(self, path: str, host: str = ONION, circuit: int | None = 1):  # type: ignore[no-untyped-def]
        return self.request(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n", circuit)

    def wrong_code(self, circuit: int) -> int:
        """GET the code page on this circuit (a new visitor: cookie and form token), then
        POST a code that opens nothing; the status is 400 (wrong) or 429 (wait)."""
        _status, headers, body = self.get("/vote/", circuit=circuit)
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert cookie and token, body[:500]
        form = f"csrfmiddlewaretoken={token.group(1)}&code=WRONG-{secrets.token_hex(6)}"
        status, _headers, _body = self.request(
            "POST /vote/ HTTP/1.0\r\n"
            f"Host: {ONION}\r\nOrigin: http://{ONION}\r\n"
            f"Cookie: csrftoken={cookie.group(1)}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(form)}\r\n\r\n{form}",
            circuit,
        )
        return status


@pytest.fixture(scope="module")
def onion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OnionProcess]:
    var = tmp_path_factory.mktemp("onion-var")
    env = onion_env(var, KENES_TWO_STEP="optional")
    migrated = kenes("migrate", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    log = open(var / "gunicorn.log", "wb")  # noqa: SIM115 - closed at teardown
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kenes.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--proxy-protocol",
            "v1",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "2",
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    wait_until_listening(port, server, var / "gunicorn.log")
    try:
        yield OnionProcess(port)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_onion_name_is_served_over_plain_http_without_https_redirect(onion):
    status, headers, body = onion.get("/vote/")
    assert status == 200, body[:500]
    assert "strict-transport-security" not in headers
    assert "content-security-policy" in headers
    status, headers, _body = onion.get("/")
    assert status == 302 and headers["location"].strip().startswith("/login/")  # not https://
    # cookies stay Secure: Tor Browser treats .onion as a secure context
    _status, headers, _body = onion.get("/login/")
    assert "secure" in headers["set-cookie"].lower()


def test_any_other_name_is_refused(onion):
    for host in ("kenes.example.org", "127.0.0.1", "other" + ONION[5:]):
        status, _headers, _body = onion.get("/vote/", host=host)
        assert status == 400, host


def test_the_wrong_code_throttle_counts_per_tor_circuit(onion):
    from kenes.participation import throttle

    guesser, voter = 0x00AB_0001, 0x00AB_0002
    statuses = [onion.wrong_code(guesser) for _ in range(throttle.FAILURE_LIMIT + 1)]
    assert statuses == [400] * throttle.FAILURE_LIMIT + [429]
    # another circuit, i.e. another Tor Browser, is not made to wait for the guesser
    assert onion.wrong_code(voter) == 400
    # and the guesser still waits on its own circuit
    assert onion.wrong_code(guesser) == 429


@pytest.mark.django_db
def test_the_public_site_offers_tor_browser_the_onion_address(client, settings):
    settings.KENES_ONION_LOCATION = f"http://{ONION}/"
    over_https = client.get("/vote/?x=1", secure=True)
    assert over_https["Onion-Location"] == f"http://{ONION}/vote/?x=1"
    assert "Onion-Location" not in client.get("/vote/")  # Tor Browser ignores it over HTTP
    settings.KENES_ONION_LOCATION = ""
    assert "Onion-Location" not in client.get("/vote/", secure=True)
