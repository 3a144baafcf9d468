"""Free TCP ports for servers that tests start."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now, chosen by the OS.

    The port is released before returning, so another process could take it in between; the OS hands out ephemeral
    ports in a rotating order, which makes that rare enough for tests.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
