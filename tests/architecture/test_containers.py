"""Every service image runs as an unprivileged user that can write only its own state directory."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = sorted(
    [ROOT / "catalog" / "Dockerfile", *(ROOT / "domains").glob("*/Dockerfile"),
     ROOT / "tools" / "mesh_tools" / "scaffold" / "templates" / "domain" / "Dockerfile.tmpl"]
)


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    return [(line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1] if " " in line.strip() else "")
            for line in (raw.strip() for raw in text.splitlines()) if line and not line.startswith("#")]


def test_every_service_has_a_dockerfile_checked_here():
    assert len(DOCKERFILES) >= 6  # catalog, four domains, the scaffold's template


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_process_runs_as_a_non_root_user(dockerfile):
    steps = instructions(dockerfile)
    users = [argument for kind, argument in steps if kind == "USER"]
    assert users, f"{dockerfile} never leaves root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"{dockerfile} runs as {user}"
    assert user.isdigit(), "a numeric USER lets orchestrators verify runAsNonRoot"
    last_user = max(index for index, (kind, _) in enumerate(steps) if kind == "USER")
    assert [kind for kind, _ in steps[last_user:]].count("RUN") == 0, "nothing runs as root after USER"
    assert steps[-1][0] == "CMD"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_user_owns_a_private_state_directory_that_the_service_uses(dockerfile):
    steps = instructions(dockerfile)
    runs = " ".join(argument for kind, argument in steps if kind == "RUN")
    environment = " ".join(argument for kind, argument in steps if kind == "ENV")
    assert re.search(r"install -d -m 0700 -o mesh -g mesh /var/lib/mesh", runs)
    assert "useradd --system --uid 10001" in runs
    assert "MESH_RUN_DIR=/var/lib/mesh" in environment
    assert "MESH_ENV=prod" in environment


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_image_installs_the_versions_ci_tested_from_the_lock(dockerfile):
    installs = [argument for kind, argument in instructions(dockerfile) if kind == "RUN" and "pip install" in argument]
    assert installs and all("-c /app/requirements.lock" in argument for argument in installs), installs
    assert ("COPY", "requirements.lock /app/requirements.lock") in instructions(dockerfile)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_service_image_installs_the_runtime_distribution_and_none_of_the_tooling(dockerfile):
    steps = instructions(dockerfile)
    copied = [argument.split()[0] for kind, argument in steps if kind == "COPY"]
    installs = " ".join(argument for kind, argument in steps if kind == "RUN" and "pip install" in argument)
    assert "platform" in copied and "/app/platform" in installs
    # The CLI, launcher, broker, scaffold, linters and pytest plugin (tools/, octagon-mesh-tools) stay out.
    assert not [source for source in copied if source.split("/")[0] == "tools"], copied
    assert "/app/tools" not in installs and "octagon-mesh-tools" not in installs, installs
    assert not steps[-1][1].lstrip('["').startswith("mesh"), "a service runs uvicorn, not the mesh CLI"
