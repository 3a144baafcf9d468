"""`mesh up` and the demo load, as a user meets them.

Time from `mesh up --no-demo` to every service ready, with the Kafka jars cached (target ≤ 30 s). The baseline is
the bare minimum the same processes need: the broker alone, then one bare uvicorn app per service started at once,
in the same run, so the ratio shows what the mesh adds (migrations, registration, readiness).

Then the demo load exactly as ``make up`` runs it: ``mesh up`` (with its demo) in a fresh run directory, timed from
its "mesh ready" line to the table the loader prints when the deterministic data set at scale 1 (≈ 12,000 commands)
is in (target ≤ 60 s): what the user waits for after the mesh is ready — the demo clients' access being granted,
the data set generated and every command sent through the domains' APIs by the loader ``mesh up`` runs. The loader's
own figure (from its first command) and the time until every product is consistent with its sources are shown
beside it. (``--smoke``: ``mesh up --no-demo``, then ``mesh seed --scale 0.01``, timed from the seed's start.) Its
baseline is the same number of commands sent one by one by as many loader threads to the bare FastAPI + SQLModel
route of the command-path benchmark: what any HTTP loader of that many records one at a time costs on this machine.

The load average of the machine while the demo loads is printed on stderr: on the shared 2-core development
machine it, not the code, decides most of the wall time.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.bench_command_path import BENCHMARKS_DIR, FIGHTER
from benchmarks.servers import served, verdict
from mesh_tools.broker import LocalKafkaBroker
from mesh_tools.launcher.topology import discover_services, env_name
from mesh_tools.testing.ports import free_port
from octagon_demo.commands import BATCH_LINES, KINDS
from octagon_demo.loader import BATCHES_IN_FLIGHT, MAX_WORKERS

BARE_APP = "fastapi_bare:app"
DEMO_SCALE = 1.0
SMOKE_SCALE = 0.01
TARGET_UP_SECONDS = 30.0
TARGET_DEMO_SECONDS = 60.0
MESH = [str(Path(sys.executable).parent / "mesh")]
"""The command line of the ``mesh`` CLI."""
DEMO_WAIT_SECONDS = 900
_TITLE = re.compile(r"demo data \(seed \d+, scale [\d.]+\) in ([\d.]+)s")
_CONSISTENT = re.compile(r"every product consistent with its sources ([\d.]+)s after the demo load")
_COUNTS = ("planned", "created", "replayed", "accepted", "failed", "skipped")


@dataclass
class DemoLoad:
    """What the benchmark read of one demo load from the CLI's output."""

    waited: float
    """Seconds the user waited: from "mesh ready" (``mesh up``) or the seed's start to the loader's table."""
    loader_seconds: float
    """The loader's own figure: from its first command to its last answer."""
    phases: dict[str, dict[str, int]] = field(default_factory=dict)
    consistent_after: float | None = None
    """Seconds from the loader's table until every product was consistent with its sources (``mesh up`` only)."""
    load: tuple[float, float] = (0.0, 0.0)
    """The machine's 1-minute load average when the load began and when it ended."""
    cpu_seconds: float | None = None
    """CPU seconds the mesh's processes (services, broker, loader) used from "mesh ready" to the loader's table."""

    @property
    def commands(self) -> int:
        return sum(sum(row[name] for name in ("created", "replayed", "accepted", "failed")) for row in self.phases.values())

    @property
    def refused(self) -> int:
        return sum(row["failed"] + row["skipped"] for row in self.phases.values())


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by the live process ``root`` and its descendants: the mesh's
    services, broker and (in ``mesh up``) the loader. On a shared machine this, unlike the wall time, does not grow
    with the machine's load."""
    parents, used = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid], used[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, grown = {root}, True
    while grown:
        before = len(tree)
        tree |= {pid for pid, parent in parents.items() if parent in tree}
        grown = len(tree) > before
    return sum(used.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


class _Output:
    """A CLI's output lines with the time each arrived, and events for the lines the benchmark waits for."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[tuple[float, str]] = []
        self.ready, self.usable, self.demo_shown = threading.Event(), threading.Event(), threading.Event()
        self.load_at_ready = 0.0
        self.root = process.pid
        self.cpu_at_ready = self.cpu_at_demo = 0.0
        threading.Thread(target=self._watch, args=(process,), daemon=True).start()

    def _watch(self, process: subprocess.Popen[str]) -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            self.lines.append((time.perf_counter(), line))
            if "mesh ready" in line:
                self.load_at_ready = os.getloadavg()[0]
                self.cpu_at_ready = tree_cpu_seconds(self.root)
                self.ready.set()
            if _TITLE.search(line):
                self.cpu_at_demo = tree_cpu_seconds(self.root)
                self.demo_shown.set()
            if "press Ctrl-C" in line:  # demo clients granted (and the demo loaded, unless --no-demo)
                self.usable.set()

    def at(self, text: str) -> float:
        return next(arrived for arrived, line in self.lines if text in line)

    def tail(self) -> str:
        return "".join(line for _, line in self.lines[-40:])


def _demo_environment(run_dir: Path) -> dict[str, str]:
    environ = {name: value for name, value in os.environ.items() if name != "KAFKA_BOOTSTRAP_SERVERS"}
    for spec in discover_services(environ):
        environ[f"{env_name(spec.name)}_PORT"] = str(free_port())
    # Wide enough that the loader's table keeps one row per line.
    environ.update(KAFKA_PORT=str(free_port()), KAFKA_CONTROLLER_PORT=str(free_port()), MESH_RUN_DIR=str(run_dir),
                   COLUMNS="200")
    return environ


def mesh_up(run_dir: Path, demo: bool = False, seed_scale: float | None = None) -> tuple[float, DemoLoad | None]:
    """Seconds from ``mesh up`` to the mesh ready, and the demo load read from the CLI's output.

    ``demo``: ``mesh up`` loads the demo itself, as ``make up`` does; otherwise ``mesh up --no-demo``, then
    ``mesh seed --scale seed_scale`` if a scale is given. Neither: only the start-up is timed.
    """
    environ = _demo_environment(run_dir)
    started = time.perf_counter()
    process = subprocess.Popen([*MESH, "up", *([] if demo else ["--no-demo"])], env=environ,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = _Output(process)
    try:
        if not output.ready.wait(300):
            raise RuntimeError("mesh up did not become ready in 300 s:\n" + output.tail())
        seconds = output.at("mesh ready") - started
        if not output.usable.wait(DEMO_WAIT_SECONDS if demo else 300):
            raise RuntimeError("mesh up did not finish starting (and loading) in time:\n" + output.tail())
        if demo:
            loaded = _demo_load(output, output.at("mesh ready"), output.load_at_ready)
            loaded.cpu_seconds = output.cpu_at_demo - output.cpu_at_ready
            return seconds, loaded
        if seed_scale is None:
            return seconds, None
        return seconds, _seed(run_dir, environ, seed_scale)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _seed(run_dir: Path, environ: dict[str, str], scale: float) -> DemoLoad:
    """``mesh seed --scale scale`` into the running mesh, timed from its start."""
    load = os.getloadavg()[0]
    began = time.perf_counter()
    seed = subprocess.Popen([*MESH, "seed", "--scale", f"{scale:g}", "--run-dir", str(run_dir)], env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = _Output(seed)
    if seed.wait(DEMO_WAIT_SECONDS) != 0 or not output.demo_shown.wait(10):
        raise RuntimeError("mesh seed failed:\n" + output.tail())
    return _demo_load(output, began, load)


def _demo_load(output: _Output, began: float, load: float) -> DemoLoad:
    """The demo load's figures from the loader's table (and ``mesh up``'s consistency line)."""
    shown, title = next((arrived, match) for arrived, line in output.lines if (match := _TITLE.search(line)))
    result = DemoLoad(waited=shown - began, loader_seconds=float(title.group(1)), load=(load, os.getloadavg()[0]))
    for _, line in output.lines:
        cells = [cell.strip() for cell in re.split(r"[│|┃]", line) if cell.strip()]
        counts = cells[1:1 + len(_COUNTS)]
        if len(counts) == len(_COUNTS) and cells[0] in KINDS and all(cell.isdigit() for cell in counts):
            result.phases[cells[0]] = dict(zip(_COUNTS, map(int, counts), strict=True))
        if consistent := _CONSISTENT.search(line):
            result.consistent_after = float(consistent.group(1))
    if set(result.phases) != set(KINDS):
        raise RuntimeError("the demo loader's table was not found in the output:\n" + output.tail())
    return result


def bare_seconds(run_dir: Path, services: int) -> float:
    (run_dir / "fastapi_bare.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/ready')\ndef ready():\n    return {}\n")
    started = time.perf_counter()
    broker = LocalKafkaBroker(run_dir / "kafka-bare", port=free_port(), controller_port=free_port())
    broker.start()
    ports = [free_port() for _ in range(services)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "uvicorn", BARE_APP, "--port", str(port), "--log-level", "warning"],
                         cwd=run_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in ports
    ]
    try:
        for port in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        broker.stop()


def bare_commands_seconds(commands: int, run_dir: Path) -> float:
    """``commands`` fighter registrations sent by MAX_WORKERS threads to the bare command app."""
    environment = {"DATABASE_URL": f"sqlite:///{run_dir / 'bare-demo.db'}"}
    with served("bare_command_app:create_app", environment, run_dir / "bare-demo.log", cwd=BENCHMARKS_DIR) as client:
        limits = httpx.Limits(max_connections=MAX_WORKERS, max_keepalive_connections=MAX_WORKERS)
        with httpx.Client(base_url=client.base_url, limits=limits, timeout=30) as sender:
            started = time.perf_counter()
            with ThreadPoolExecutor(MAX_WORKERS) as pool:
                statuses = set(pool.map(lambda _: sender.post("/fighters", json=FIGHTER).status_code, range(commands)))
            seconds = time.perf_counter() - started
    if statuses != {201}:
        raise RuntimeError(f"the bare app refused commands: {sorted(statuses)}")
    return seconds


def main(smoke: bool = False) -> list[str]:
    """The rows of this benchmark; ``smoke``: one attempt each and a tiny demo, only to show it still runs."""
    services = len(discover_services())
    scale = SMOKE_SCALE if smoke else DEMO_SCALE
    with tempfile.TemporaryDirectory() as name:
        run_dir = Path(name)
        # The demo as `make up` loads it (smoke: `mesh seed` at a tiny scale); its start-up is timed as well.
        first, demo = mesh_up(run_dir / "run0", demo=not smoke, seed_scale=scale if smoke else None)
        ups = [first] + ([] if smoke else [mesh_up(run_dir / "run1")[0]])
        bare = min(bare_seconds(run_dir, services) for _ in range(1 if smoke else 2))
        assert demo is not None
        print(f"demo load: load average {demo.load[0]:.1f} → {demo.load[1]:.1f}; the loader's own figure "
              f"{demo.loader_seconds:.1f} s; CPU of the mesh's processes meanwhile {demo.cpu_seconds} s; "
              f"consistent {demo.consistent_after} s after it", file=sys.stderr)
        bare_demo = bare_commands_seconds(demo.commands, run_dir)
    mesh, waited, commands = min(ups), demo.waited, demo.commands
    batched = ", ".join(phase for phase, kind in KINDS.items() if kind.batched) or "none"
    single = [phase for phase, kind in KINDS.items() if not kind.batched]
    singly = f"; {', '.join(single)} one by one, {MAX_WORKERS} in flight" if single else ""
    consistent = (f"; every product consistent {demo.consistent_after:.1f} s later"
                  if demo.consistent_after is not None else "")
    consistent += f"; CPU of the mesh's processes meanwhile {demo.cpu_seconds:.0f} s" if demo.cpu_seconds else ""
    how = "`mesh up` from \"mesh ready\" to the loader's table" if not smoke else "`mesh seed`"
    return [
        f"| `mesh up` to all {services} services ready (jars cached) | {mesh:.1f} s | broker + {services} bare uvicorn "
        f"apps: {bare:.1f} s | {mesh / bare:.2f}× | ≤ {TARGET_UP_SECONDS:.0f} s | {verdict(mesh <= TARGET_UP_SECONDS)} |",
        f"| demo load at scale {scale:g} after the mesh is ready, as {how} ({commands:,} commands, {demo.refused} "
        f"refused or skipped; NDJSON batches of ≤ {BATCH_LINES}, {BATCHES_IN_FLIGHT} in flight per phase, for "
        f"{batched}{singly}; the loader's own figure {demo.loader_seconds:.1f} s{consistent}) | {waited:.1f} s "
        f"({commands / waited:.0f} commands/s) | the same number of commands to the bare FastAPI + SQLModel route: "
        f"{bare_demo:.1f} s | {waited / bare_demo:.2f}× | ≤ {TARGET_DEMO_SECONDS:.0f} s | "
        f"{verdict(waited <= TARGET_DEMO_SECONDS)} |",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
