"""Contract versions order as SemVer 2.0.0 says, so `mesh contracts check` and the catalog never misjudge a bump."""

from __future__ import annotations

import pytest

from mesh_platform.contracts.semver import parse_version


def test_numeric_pre_release_identifiers_compare_as_numbers():
    assert parse_version("1.0.0-alpha.2") < parse_version("1.0.0-alpha.10")


def test_a_pre_release_sorts_before_its_release_and_after_the_previous_one():
    assert parse_version("1.9.0") < parse_version("2.0.0-rc.1") < parse_version("2.0.0")


def test_build_metadata_does_not_change_precedence():
    assert parse_version("1.2.3+build.7") == parse_version("1.2.3")


@pytest.mark.parametrize("text", ["1.2", "v1.2.3", "01.2.3", "", "1.2.3-"])
def test_anything_else_is_refused_naming_the_text(text):
    with pytest.raises(ValueError, match="is not a semantic version"):
        parse_version(text)
