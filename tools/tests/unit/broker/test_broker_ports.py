import socket

import pytest

from mesh_tools.broker.broker import LocalKafkaBroker
from mesh_tools.broker.errors import BrokerError
from mesh_tools.testing.ports import free_port


class UnusableDistribution:
    """A distribution the broker must not reach for when it refuses to start."""

    version = "0.0.0"

    def java_executable(self) -> str:
        raise AssertionError("java was looked up although a port is taken")

    def classpath(self, progress=None) -> str:
        raise AssertionError("the classpath was resolved although a port is taken")


@pytest.fixture
def taken_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize(("taken", "env_var"), [("port", "KAFKA_PORT"), ("controller_port", "KAFKA_CONTROLLER_PORT")])
def test_taken_port_is_refused_in_one_line_naming_the_variable_that_moves_it(tmp_path, taken_port, taken, env_var):
    ports = {"port": free_port(), "controller_port": free_port(), taken: taken_port}
    broker = LocalKafkaBroker(tmp_path, **ports, distribution=UnusableDistribution())

    with pytest.raises(BrokerError) as refused:
        broker.start()

    message = str(refused.value)
    assert "\n" not in message
    assert f"Port {taken_port} on 127.0.0.1 is already in use" in message
    assert f"{env_var}=<port>" in message
    assert not broker.is_running()


def test_heap_that_is_no_jvm_size_is_refused_before_anything_runs(tmp_path):
    broker = LocalKafkaBroker(
        tmp_path, port=free_port(), controller_port=free_port(), heap="half a gig", distribution=UnusableDistribution()
    )

    with pytest.raises(BrokerError, match="KAFKA_HEAP"):
        broker.start()
