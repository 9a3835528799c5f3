"""``tapetui serve``: the debugger in a web browser, through textual-serve.

Each browser session starts its own ``tapetui SCENARIO`` on the serving machine (which records the
scenario there, as the terminal debugger does); the browser only shows it. So the server listens
on localhost unless told otherwise, and says what a wider address means.
"""

from __future__ import annotations

import asyncio
import ipaddress
import shlex
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tapetui.trace.printable import printable_line

DEFAULT_PORT = 8000


def is_local(host: str) -> bool:
    """True for an address only this machine can reach (``localhost``, ``127.0.0.1``, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listenable(host: str, port: int) -> None:
    """Raise ``OSError`` (a name that does not resolve, a port in use) before saying "serving"."""
    with socket.create_server((host.strip("[]"), port)):
        pass


def debugger_command(path: str, options: Sequence[str] = ()) -> str:
    """The shell command each browser session runs: this interpreter's ``tapetui`` on ``path``
    (quoted for the shell; ``./`` before a name that would read as an option)."""
    shown = f"./{path}" if path.startswith("-") else path
    return shlex.join([sys.executable, "-m", "tapetui", shown, *options])


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"


def exposure_warning(host: str, port: int, path: str) -> str | None:
    """What serving on ``host`` means when it is more than this machine, else ``None``."""
    if is_local(host):
        return None
    return (
        f"warning: serving on {host}, port {port}: anyone who can reach it can open the "
        f"debugger, and every session runs {path} as code on this machine (as you)"
    )


def listening_sentence(host: str, port: int, path: str) -> str:
    where = "this machine only; --host to change" if is_local(host) else f"host {host}"
    sentence = f"serving the debugger for {path} at {url_of(host, port)} ({where}); ctrl+c stops"
    return f"tapetui: {printable_line(sentence)}"  # a file name's escapes shown, not sent


def serve(
    path: str, *, host: str = "localhost", port: int = DEFAULT_PORT, options: Sequence[str] = ()
) -> None:
    """Serve the debugger on ``path`` (a scenario, a folder or a trace) until interrupted;
    ``options`` are the debugger's own (``--seed 3``). Raises ``OSError`` when the address
    cannot be listened on."""
    from aiohttp import web
    from textual_serve.server import Server

    class DebuggerServer(Server):
        """textual-serve's server, saying tapetui's sentence once it listens, with each page's
        websocket address taken from the address the browser used (a server on ``0.0.0.0`` is
        reached by a name or an address the server cannot know)."""

        async def on_startup(self, app: Any) -> None:
            """Instead of textual-serve's banner, which it prints before it listens."""

        async def handle_index(self, request: Any) -> Any:
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        def serve(self, debug: bool = False) -> None:
            """``Server.serve``, announcing when aiohttp says it listens (``print``)."""
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=lambda *_: print(listening_sentence(host, port, path), flush=True),
            )

    warning = exposure_warning(host, port, path)
    if warning is not None:
        print(f"tapetui: {printable_line(warning)}", file=sys.stderr, flush=True)
    check_listenable(host, port)
    title = f"tapetui · {Path(path).name}"
    server = DebuggerServer(debugger_command(path, options), host=host, port=port, title=title)
    server.serve()
