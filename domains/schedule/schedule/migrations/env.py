from mesh_platform.store.migrations import run_migrations
from schedule.adapters.tables import ScheduleTable

run_migrations(ScheduleTable.metadata)
