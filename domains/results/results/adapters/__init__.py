"""Results' adapters: tables, repositories, unit of work, event mapping, schedule's HTTP port."""
