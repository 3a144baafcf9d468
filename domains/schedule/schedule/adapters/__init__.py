"""Schedule's adapters: tables, repositories, unit of work, event mapping, roster's HTTP port."""
