"""System checks of the floor: the connection budget (common/connections.py)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db import connections

from common.connections import budget_problems

# psycopg_pool's size when OPTIONS["pool"] is True rather than a dict of sizes.
PSYCOPG_POOL_DEFAULT_SIZE = 4


def _pool_max() -> int | None:
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if not pool:
        return None
    if not isinstance(pool, dict):
        return PSYCOPG_POOL_DEFAULT_SIZE
    return pool.get("max_size") or pool.get("min_size", PSYCOPG_POOL_DEFAULT_SIZE)


@checks.register()
def connection_budget_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The site's pools together fit in ``DB_CONNECTIONS_BUDGET``."""
    pool_max = _pool_max()
    if pool_max is None:
        return []
    return [
        checks.Error(problem, id="common.E001")
        for problem in budget_problems(
            processes=settings.DB_PROCESSES,
            pool_max=pool_max,
            budget=settings.DB_CONNECTIONS_BUDGET,
        )
    ]


@checks.register(checks.Tags.database)
def server_budget_check(
    app_configs=None, databases=None, **kwargs
) -> list[checks.CheckMessage]:
    """``DB_CONNECTIONS_BUDGET`` fits in the server's ``max_connections``.

    A database check: ``manage.py migrate`` and ``check --database default`` run it.
    """
    if not databases or "default" not in databases or _pool_max() is None:
        return []
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int, "
            "current_setting('superuser_reserved_connections')::int"
        )
        max_connections, reserved = cursor.fetchone()
    available = max_connections - reserved
    if available < settings.DB_CONNECTIONS_BUDGET:
        return [
            checks.Error(
                f"DB_CONNECTIONS_BUDGET={settings.DB_CONNECTIONS_BUDGET} is more "
                f"than PostgreSQL allows: max_connections {max_connections} minus "
                f"{reserved} reserved for superusers = {available}.",
                id="common.E002",
            )
        ]
    return []
