"""The copy-paste consumer on a product page runs against the mesh's locked brokers (valid Python, SASL/SCRAM)."""

from __future__ import annotations

import ast

from catalog.domain.contract_view import ports
from catalog.ui.snippets import consume_snippets


def test_the_kafka_snippet_is_python_that_authenticates_and_names_the_grant_it_needs(contract):
    document = contract("roster", "fighters")
    snippet = consume_snippets("roster", "fighters", 1, ports(document), "http://127.0.0.1:8001")["kafka"]
    call = next(node for node in ast.walk(ast.parse(snippet))
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "KafkaConsumer")
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    assert ast.literal_eval(keywords["security_protocol"]) == "SASL_PLAINTEXT"
    assert ast.literal_eval(keywords["sasl_mechanism"]) == "SCRAM-SHA-512"
    assert ast.literal_eval(call.args[0]) == "roster.fighters.v1"
    assert "read grant for roster.fighters.v1" in snippet
