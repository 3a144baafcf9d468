import pytest

from mesh_platform.auth import InvalidToken, TokenIssuer, mask_personal_data, pii_scope


def test_token_grants_the_scopes_it_was_issued_with():
    issuer = TokenIssuer("a-secret-that-is-long-enough-for-hs256")
    token = issuer.verify(issuer.issue("analyst", ["read", pii_scope("roster", "fighters")]))
    assert token.subject == "analyst"
    assert token.allows("read")
    assert token.allows("pii:roster.fighters")
    assert not token.allows("pii:results.bout-results")


def test_token_signed_with_another_secret_is_refused():
    forged = TokenIssuer("another-secret-that-is-long-enough-too").issue("mallory", ["*"])
    with pytest.raises(InvalidToken):
        TokenIssuer("a-secret-that-is-long-enough-for-hs256").verify(forged)


def test_masking_nulls_personal_data_and_keeps_the_rest():
    record = {"fighter_id": "f-1", "date_of_birth": "1990-01-01", "name": "A"}
    assert mask_personal_data(record, {"date_of_birth"}) == {"fighter_id": "f-1", "date_of_birth": None, "name": "A"}
    assert record["date_of_birth"] == "1990-01-01"
