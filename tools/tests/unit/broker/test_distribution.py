import os
from pathlib import Path

import pytest

from mesh_tools.broker.command_runner import CommandResult, CommandTimedOut
from mesh_tools.broker.distribution import KafkaDistribution
from mesh_tools.broker.errors import BrokerError

JAVA_17 = 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6)\n'


class FakeRunner:
    """Stands in for java and mvn: Maven 'downloads' by writing empty jars into its output directory."""

    def __init__(self, *, java_output=JAVA_17, maven=True, maven_fails_with=None, maven_times_out=False):
        self.programs = {"java": "/fake/java"}
        if maven:
            self.programs["mvn"] = "/fake/mvn"
        self.java_output = java_output
        self.maven_fails_with = maven_fails_with
        self.maven_times_out = maven_times_out
        self.maven_runs = 0

    def find(self, program):
        return self.programs.get(program)

    def run(self, argv, cwd, timeout):
        if argv[0] == "/fake/java":
            return CommandResult(0, self.java_output)
        assert argv[0] == "/fake/mvn", argv
        self.maven_runs += 1
        if self.maven_times_out:
            raise CommandTimedOut("mvn did not finish")
        if self.maven_fails_with is not None:
            return CommandResult(1, self.maven_fails_with)
        version = Path(next(a for a in argv if a.endswith("pom.xml"))).parent.name
        output = Path(next(a for a in argv if a.startswith("-DoutputDirectory=")).split("=", 1)[1])
        output.mkdir(parents=True)
        for jar in (f"kafka_2.13-{version}.jar", f"kafka-clients-{version}.jar", "scala-library-2.13.18.jar"):
            (output / jar).write_bytes(b"")
        return CommandResult(0, "")


def jar_names(classpath: str) -> list[str]:
    return [Path(entry).name for entry in classpath.split(os.pathsep)]


def test_first_classpath_downloads_the_jars_into_the_cache(tmp_path):
    runner = FakeRunner()
    progress: list[str] = []

    classpath = KafkaDistribution("4.3.1", tmp_path, runner=runner).classpath(progress=progress.append)

    assert runner.maven_runs == 1
    assert jar_names(classpath) == ["kafka-clients-4.3.1.jar", "kafka_2.13-4.3.1.jar", "scala-library-2.13.18.jar"]
    assert all(Path(entry).parent == tmp_path / "kafka" / "4.3.1" / "libs" for entry in classpath.split(os.pathsep))
    assert "Maven Central" in progress[0]


def test_warm_cache_needs_no_maven(tmp_path):
    first = KafkaDistribution("4.3.1", tmp_path, runner=FakeRunner()).classpath()
    no_maven = FakeRunner(maven=False)

    assert KafkaDistribution("4.3.1", tmp_path, runner=no_maven).classpath() == first
    assert no_maven.maven_runs == 0


def test_interrupted_download_is_redone(tmp_path):
    # Jars without the completion marker: what a killed `mvn` leaves behind.
    libs = tmp_path / "kafka" / "4.3.1" / "libs"
    libs.mkdir(parents=True)
    (libs / "kafka_2.13-4.3.1.jar").write_bytes(b"")
    runner = FakeRunner()

    classpath = KafkaDistribution("4.3.1", tmp_path, runner=runner).classpath()

    assert runner.maven_runs == 1
    assert "kafka-clients-4.3.1.jar" in jar_names(classpath)


def test_a_jar_deleted_from_the_cache_sends_us_back_to_maven(tmp_path):
    KafkaDistribution("4.3.1", tmp_path, runner=FakeRunner()).classpath()
    (tmp_path / "kafka" / "4.3.1" / "libs" / "kafka-clients-4.3.1.jar").unlink()
    runner = FakeRunner()

    classpath = KafkaDistribution("4.3.1", tmp_path, runner=runner).classpath()

    assert runner.maven_runs == 1
    assert "kafka-clients-4.3.1.jar" in jar_names(classpath)


def test_versions_are_cached_side_by_side(tmp_path):
    KafkaDistribution("4.3.1", tmp_path, runner=FakeRunner()).classpath()
    runner = FakeRunner()

    classpath = KafkaDistribution("4.2.0", tmp_path, runner=runner).classpath()

    assert runner.maven_runs == 1
    assert "kafka_2.13-4.2.0.jar" in jar_names(classpath)
    assert (tmp_path / "kafka" / "4.3.1" / "libs" / "kafka_2.13-4.3.1.jar").is_file()


def test_failed_download_says_so_with_mavens_last_lines_and_is_retried(tmp_path):
    maven_output = "[ERROR] Failed to execute goal ...\n[ERROR] Could not transfer artifact: Unknown host repo.maven"
    failing = KafkaDistribution("4.3.1", tmp_path, runner=FakeRunner(maven_fails_with=maven_output))

    with pytest.raises(BrokerError) as failed:
        failing.classpath()

    first_line, *rest = str(failed.value).splitlines()
    assert "Could not download Apache Kafka 4.3.1 from Maven Central" in first_line
    assert rest[-1].endswith("Unknown host repo.maven")
    retry = FakeRunner()
    assert "kafka_2.13-4.3.1.jar" in jar_names(KafkaDistribution("4.3.1", tmp_path, runner=retry).classpath())
    assert retry.maven_runs == 1


def test_download_that_hangs_is_reported_as_a_network_problem(tmp_path):
    distribution = KafkaDistribution("4.3.1", tmp_path, runner=FakeRunner(maven_times_out=True))

    with pytest.raises(BrokerError, match="timed out.*check the network"):
        distribution.classpath()


def test_missing_maven_with_a_cold_cache_says_what_to_install(tmp_path):
    distribution = KafkaDistribution("4.3.1", tmp_path, runner=FakeRunner(maven=False))

    with pytest.raises(BrokerError, match=r"apt-get install maven"):
        distribution.classpath()


def test_missing_java_says_what_to_install(tmp_path):
    runner = FakeRunner()
    del runner.programs["java"]

    with pytest.raises(BrokerError, match=r"apt-get install openjdk-17-jre-headless"):
        KafkaDistribution("4.3.1", tmp_path, runner=runner).java_executable()


@pytest.mark.parametrize("version_line", ['openjdk version "11.0.22" 2024-01-16', 'java version "1.8.0_381"'])
def test_java_older_than_17_is_refused_naming_the_version_found(tmp_path, version_line):
    distribution = KafkaDistribution("4.3.1", tmp_path, runner=FakeRunner(java_output=version_line))

    with pytest.raises(BrokerError) as refused:
        distribution.java_executable()

    assert "needs Java 17+" in str(refused.value)
    assert "apt-get install openjdk-17-jre-headless" in str(refused.value)
    found = "8" if "1.8" in version_line else "11"
    assert f"is Java {found}:" in str(refused.value)


def test_java_21_is_accepted(tmp_path):
    runner = FakeRunner(java_output='openjdk version "21" 2023-09-19')

    assert KafkaDistribution("4.3.1", tmp_path, runner=runner).java_executable() == "/fake/java"


def test_cache_root_comes_from_mesh_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_CACHE_DIR", str(tmp_path / "cache"))

    assert KafkaDistribution("4.3.1").libs_dir == tmp_path / "cache" / "kafka" / "4.3.1" / "libs"


def test_cache_root_defaults_to_the_xdg_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("MESH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert KafkaDistribution("4.3.1").libs_dir == tmp_path / "octagon-mesh" / "kafka" / "4.3.1" / "libs"
