import tomllib

from mesh_tools.scaffold.first_party import add_known_first_party, order_first_party_imports

MODULE = """from fastapi import FastAPI

from mesh_platform.runtime import DomainService
from awards.settings import AwardsSettings
from awards.api.commands import commands_router

DOMAIN = "awards"
"""


def test_package_imports_sort_with_the_platform_s_in_one_block():
    ordered = order_first_party_imports(MODULE, "awards")
    assert ordered.splitlines()[2:5] == [
        "from awards.api.commands import commands_router",
        "from awards.settings import AwardsSettings",
        "from mesh_platform.runtime import DomainService",
    ]
    assert ordered.splitlines()[0] == "from fastapi import FastAPI"
    assert ordered.endswith('DOMAIN = "awards"\n')


def known_first_party(path):
    return tomllib.loads(path.read_text())["tool"]["ruff"]["lint"]["isort"]["known-first-party"]


def test_new_package_joins_a_one_line_known_first_party_list(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.ruff.lint.isort]\nknown-first-party = ["mesh_platform", "roster"]\n[other]\nx = [1]\n')
    assert add_known_first_party(pyproject, "venues")
    assert known_first_party(pyproject) == ["mesh_platform", "roster", "venues"]
    assert add_known_first_party(pyproject, "venues")
    assert known_first_party(pyproject) == ["mesh_platform", "roster", "venues"]
    assert tomllib.loads(pyproject.read_text())["other"] == {"x": [1]}


def test_new_package_joins_a_multi_line_list_with_a_trailing_comma(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.ruff.lint.isort]\nknown-first-party = [\n  "mesh_platform",\n]\n')
    assert add_known_first_party(pyproject, "ticket_sales")
    assert known_first_party(pyproject) == ["mesh_platform", "ticket_sales"]


def test_nothing_is_written_without_a_known_first_party_list(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    original = '[tool.isort]\nknown-first-party = ["x"]\n'
    pyproject.write_text(original)
    assert not add_known_first_party(pyproject, "venues")
    assert pyproject.read_text() == original
    assert not add_known_first_party(tmp_path / "missing.toml", "venues")
