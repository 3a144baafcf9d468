"""Deterministic demo data for Octagon Mesh (``generate_demo_data``), loaded through the domains' HTTP APIs
(``load_demo_data``)."""
