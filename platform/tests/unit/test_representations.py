"""ETags and RFC 9110 If-None-Match, RFC 8288 Link values, RFC 9745 Deprecation and RFC 8594 Sunset."""

from datetime import UTC, date, datetime

import pytest

from mesh_platform.http.representations import Deprecation, conditional_json, entity_tag, link_header, none_match

ETAG = '"abc123"'


@pytest.mark.parametrize(
    "header",
    ['"abc123"', 'W/"abc123"', '"other", W/"abc123"', '"x","abc123"', "*", '  "other" ,  "abc123"  '],
)
def test_if_none_match_matches_the_current_tag_weakly_or_with_a_star(header):
    assert none_match(header, ETAG)


@pytest.mark.parametrize("header", [None, "", '"other"', 'W/"other", "abc1234"', "abc123", '"abc123" "x"', "W/abc123"])
def test_if_none_match_with_other_tags_or_malformed_does_not_match(header):
    assert not none_match(header, ETAG)


def test_entity_tags_may_contain_commas():
    assert none_match('"a,b", "c"', '"a,b"')
    assert not none_match('"a,b"', '"a"')


def test_conditional_json_answers_304_with_the_same_validators_and_no_body():
    full = conditional_json({"a": 1}, None, headers={"Sunset": "x"}, links=[("/next?cursor=c", "next")])
    assert full.status_code == 200
    etag = full.headers["ETag"]
    assert etag == entity_tag(full.body)
    weak = conditional_json({"a": 1}, f"W/{etag}", headers={"Sunset": "x"}, links=[("/next?cursor=c", "next")])
    assert weak.status_code == 304
    assert weak.body == b""
    assert weak.headers["ETag"] == etag
    assert weak.headers["Link"] == '</next?cursor=c>; rel="next"'
    assert conditional_json({"a": 2}, etag).status_code == 200


def test_link_header_joins_relations():
    assert link_header([("/a", "next"), ("/v2", "successor-version")]) == (
        '</a>; rel="next", </v2>; rel="successor-version"'
    )
    assert link_header([]) is None


def test_deprecation_is_announced_in_rfc9745_date_form():
    deprecation = Deprecation(date(2031, 6, 30), "/data-products/fighters/v2", deprecated_on=date(2030, 1, 1))
    headers = deprecation.headers()
    assert headers["Deprecation"] == f"@{int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())}" == "@1893456000"
    assert headers["Sunset"] == "Mon, 30 Jun 2031 00:00:00 GMT"
    assert deprecation.link() == ("/data-products/fighters/v2", "successor-version")


def test_deprecation_without_a_declared_date_is_announced_as_deprecated_since_the_epoch():
    assert Deprecation(date(2031, 6, 30), "/v2").headers()["Deprecation"] == "@0"
