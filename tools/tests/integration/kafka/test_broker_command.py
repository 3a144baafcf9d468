import io
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from mesh_tools.broker.settings import BrokerSettings
from mesh_tools.cli.broker_command import run_broker
from mesh_tools.testing.ports import free_port

pytestmark = pytest.mark.integration

# `mesh broker` as the lead's CLI runs it: in its own process, so that SIGTERM reaches only it.
RUN_BROKER = """
import sys
from pathlib import Path
from rich.console import Console
from mesh_tools.cli.broker_command import run_broker
from mesh_tools.broker.settings import BrokerSettings
sys.exit(run_broker(Path(sys.argv[1]), BrokerSettings(), Console(width=300, force_terminal=False)))
"""


def test_external_cluster_is_used_when_it_answers_and_nothing_is_started(kafka_bootstrap, tmp_path):
    output = io.StringIO()

    code = run_broker(
        tmp_path, BrokerSettings(kafka_bootstrap_servers=kafka_bootstrap), Console(file=output, width=300)
    )

    assert code == 0
    assert f"Using the Kafka cluster at {kafka_bootstrap}" in output.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_external_cluster_that_does_not_answer_fails_with_one_line(tmp_path):
    output = io.StringIO()
    silent = f"127.0.0.1:{free_port()}"

    code = run_broker(tmp_path, BrokerSettings(kafka_bootstrap_servers=silent), Console(file=output, width=300))

    assert code == 1
    assert output.getvalue().strip().startswith(f"No Kafka answers at KAFKA_BOOTSTRAP_SERVERS={silent}")
    assert "Traceback" not in output.getvalue()


def test_mesh_broker_runs_until_sigterm_and_leaves_no_broker_behind(tmp_path):
    port, controller_port = free_port(), free_port()
    env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_CONTROLLER_PORT": str(controller_port)}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    command = subprocess.Popen(
        [sys.executable, "-c", RUN_BROKER, str(tmp_path)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        lines = []
        for line in command.stdout:
            lines.append(line)
            if "Press Ctrl-C to stop" in line:
                break
        assert f"at 127.0.0.1:{port}" in lines[-1], lines
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass

        command.send_signal(signal.SIGTERM)
        rest = command.communicate(timeout=60)[0]
    finally:
        command.kill()
        command.wait()

    assert command.returncode == 0
    assert "Kafka stopped." in rest
    assert processes_mentioning(str(tmp_path)) == []
    assert not answers(port) and not answers(controller_port)


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def processes_mentioning(text: str) -> list[str]:
    """Command lines of the running processes that contain ``text`` (the broker's JVM names its data directory)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in args:
            found.append(args)
    return found
