"""The contract linters: ``mesh contracts lint`` (every rule a contract must meet) and ``mesh contracts check``
(what changed against a git revision, and whether its version says so)."""
