"""Roster's adapters: its tables, repository, unit of work and event mapping, and its replica of stats' data.

Roster's store metadata is complete wherever any adapter is loaded (the service, the migrations' environment, the
tests comparing tables with migrations): the replica's tables live in a module of their own, kept apart from the
fighters', so this package loads it.
"""

from roster.adapters import stats_replica as stats_replica
