"""``mesh clients``: a domain's admin registers a client from the command line, the secret is printed once, the
client gets tokens until its secret is rotated or it is deleted."""

import httpx
import pytest

pytestmark = pytest.mark.e2e


def token_status(mesh, client_id: str, secret: str) -> int:
    return httpx.post(f"{mesh.urls['catalog']}/oauth2/token", data={"grant_type": "client_credentials"},
                      auth=(client_id, secret)).status_code


def test_a_client_registered_rotated_and_deleted_from_the_command_line(mesh):
    registered = mesh.cli("clients", "register", "stats-notebook", "--domain", "stats", "--owner", "analysts")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    secret = registered.stdout.strip().splitlines()[-1]
    assert token_status(mesh, "stats-notebook", secret) == 200

    listed = mesh.cli("clients", "list")
    assert listed.returncode == 0 and "stats-notebook" in listed.stdout and secret not in listed.stdout

    rotated = mesh.cli("clients", "rotate", "stats-notebook")
    new_secret = rotated.stdout.strip().splitlines()[-1]
    assert rotated.returncode == 0 and new_secret != secret
    assert token_status(mesh, "stats-notebook", secret) == 401

    assert mesh.cli("clients", "delete", "stats-notebook", "--reason", "done").returncode == 0
    assert token_status(mesh, "stats-notebook", new_secret) == 401
    refused = mesh.cli("clients", "show", "stats-notebook")
    assert refused.returncode == 1 and "no client" in refused.stdout
