"""The database connection budget: each process's pool sized from the process count.

Every process that talks to PostgreSQL holds a psycopg pool of its own: each uvicorn
worker of the HTTP pool, each of the websocket pool, each task worker. The site as a
whole may open at most ``processes x pool maximum`` connections, and that must stay
within ``DB_CONNECTIONS_BUDGET``, which in turn leaves PostgreSQL's
``max_connections`` room for administration (psql, backups, migrations, the restore
drill). The settings derive the pool maximum from the budget and the process count
(the same ``WEB_WORKERS``, ``WS_WORKERS`` and ``TASK_WORKERS`` the Procfile starts),
and the system checks in ``common/checks.py`` refuse a configuration that could
exceed either limit (docs/operations.md, "Connection budget"). Plain Python, so the
settings can use it before Django is set up.
"""

from __future__ import annotations

# The pool size the answer-submit benchmark was measured with (docs/performance.md);
# larger pools per process were never measured.
POOL_MAX_CEILING = 20


def pool_max_per_process(
    budget: int, processes: int, *, ceiling: int = POOL_MAX_CEILING
) -> int:
    """Each process's share of ``budget`` connections, at most ``ceiling``.

    Rounds down, so ``processes`` pools of this size never exceed the budget; 0
    when the budget is smaller than the process count (the check refuses that).
    """
    if processes < 1:
        raise ValueError("At least one process opens connections.")
    return max(0, min(ceiling, budget // processes))


def budget_problems(*, processes: int, pool_max: int, budget: int) -> list[str]:
    """What is wrong with ``processes`` pools of ``pool_max`` under ``budget``."""
    if pool_max < 1:
        return [
            f"DB_CONNECTIONS_BUDGET={budget} leaves no connection for each of "
            f"{processes} processes; raise the budget or run fewer workers."
        ]
    if processes * pool_max > budget:
        return [
            f"{processes} processes x DB_POOL_MAX={pool_max} = "
            f"{processes * pool_max} connections, more than "
            f"DB_CONNECTIONS_BUDGET={budget}; unset DB_POOL_MAX to derive it "
            f"(at most {budget // processes} each)."
        ]
    return []
