"""Stats' adapters: tables, repositories, unit of work, event mapping."""
