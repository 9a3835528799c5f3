"""``tapetui serve``: the page answers, and a browser session (spoken here as textual-serve's
client speaks it: a websocket, a resize, the terminal's bytes back) shows the debugger recording
the scenario for real. The server's process group is always ended."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tapetui.serve import debugger_command, exposure_warning, is_local

from .command import REPO, one_sentence, tapetui

ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
"""Terminal control sequences: what remains is the text the browser's terminal shows."""
SESSION_TIMEOUT = 240.0
"""Seconds a session may take to show the recorded trace (TensorFlow imports in its child)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, str]]:
    """``tapetui serve scenarios/persistent.py`` on a free port, and the line it printed."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tapetui", "serve", "scenarios/persistent.py", "--port", str(port)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        yield port, first
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


async def _page(port: int) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/") as response:
            return response.status, await response.text()


async def _session_text(port: int, wanted: str) -> str:
    """What the terminal of one browser session shows until ``wanted`` appears (or time is up)."""
    url = f"http://127.0.0.1:{port}/ws?width=120&height=40"
    shown = ""
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.send_json(["resize", {"width": 120, "height": 40}])
        try:
            async with asyncio.timeout(SESSION_TIMEOUT):
                received = b""
                async for message in ws:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        received += message.data
                        shown = ESCAPES.sub("", received.decode("utf-8", "replace"))
                        if wanted in shown:
                            break
        except TimeoutError:
            pass
    return shown


def test_serve_says_where_it_listens(server: tuple[int, str]) -> None:
    port, first = server
    assert first == (
        f"tapetui: serving the debugger for scenarios/persistent.py at http://localhost:{port} "
        "(this machine only; --host to change); ctrl+c stops\n"
    )


def test_the_page_is_textual_serves_client(server: tuple[int, str]) -> None:
    port, _ = server
    status, html = asyncio.run(_page(port))
    assert status == 200
    assert f'src="http://127.0.0.1:{port}/static/js/textual.js"' in html
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in html
    assert "<div>tapetui · persistent.py</div>" in html  # the start dialog names it


def test_a_browser_session_shows_the_debugger_with_the_recorded_gradients(
    server: tuple[int, str],
) -> None:
    port, _ = server
    shown = asyncio.run(_session_text(port, "dz/dy = 6.0"))
    assert "x = tf.Variable(4.0)" in shown  # the source pane
    assert "✓ dz/dx = 8.0" in shown and "✓ dz/dy = 6.0" in shown  # recorded in the session


def test_a_host_other_than_localhost_gets_a_warning(tmp_path: Path) -> None:
    with socket.create_server(("0.0.0.0", 0)) as taken:  # never listens: the port is in use
        port = taken.getsockname()[1]
        done = tapetui("serve", "scenarios/persistent.py", "--host", "0.0.0.0", "--port", str(port))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"tapetui: warning: serving on 0.0.0.0, port {port}: anyone who can reach it can open "
        "the debugger, and every session runs scenarios/persistent.py as code on this machine "
        "(as you)",
        f"tapetui: cannot listen on 0.0.0.0, port {port}: address already in use",
    ]


def test_only_loopback_addresses_count_as_local() -> None:
    assert [is_local(h) for h in ("localhost", "127.0.0.1", "::1", "[::1]")] == [True] * 4
    assert [is_local(h) for h in ("0.0.0.0", "192.168.1.5", "example.org", "::")] == [False] * 4
    assert exposure_warning("localhost", 8000, "train.py") is None


def test_a_missing_scenario_is_one_sentence() -> None:
    done = tapetui("serve", "no_such.py")
    assert done.returncode == 2
    assert one_sentence(done.stderr) == "tapetui: no_such.py does not exist"


def test_each_session_runs_this_interpreters_tapetui_on_the_path_quoted() -> None:
    assert debugger_command("my lesson.py", ["--seed", "3"]) == (
        f"{shlex.quote(sys.executable)} -m tapetui 'my lesson.py' --seed 3"
    )
    assert debugger_command("-odd.py").endswith(" -m tapetui ./-odd.py")
