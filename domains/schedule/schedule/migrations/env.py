from mesh_platform.domain_api import run_migrations
from schedule.adapters.tables import ScheduleTable

run_migrations(ScheduleTable.metadata)
