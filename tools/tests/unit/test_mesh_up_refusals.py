import socket
from pathlib import Path

from rich.console import Console

from mesh_tools.cli.up_command import run_up
from mesh_tools.launcher.topology import discover_services


def test_port_already_in_use_is_a_one_line_error_naming_the_port_and_its_variable(monkeypatch, tmp_path):
    services = discover_services()
    assert services, "no service is installed"
    taken = services[0]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        monkeypatch.setenv(taken.port_variable, str(port))
        console = Console(record=True, width=200)
        code = run_up(Path(tmp_path), console)
    output = console.export_text().strip()
    assert code == 1
    assert output == (
        f"error: port {port} for {taken.name} is already in use; set {taken.port_variable} to use another port"
    )
    assert not (tmp_path / "kafka").exists()  # nothing was started
