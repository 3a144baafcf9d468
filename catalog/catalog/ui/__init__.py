"""The catalog's web UI: server-rendered Jinja2 pages and the lineage picture."""
