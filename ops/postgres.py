"""Database addresses as the product writes them (``DATABASE_URL``), for libpq tools."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

# The schemes django-environ reads as PostgreSQL; libpq knows only the first two.
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "postgis"}
MAINTENANCE_DATABASE = "postgres"


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def with_database(url: str, name: str) -> str:
    """``url`` naming the database ``name`` on the same server, as the same user."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def parameters(url: str) -> dict[str, str]:
    """libpq's connection parameters for ``url`` (password included)."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ValueError(f"Not a PostgreSQL address: {redacted(url)}")
    return conninfo_to_dict(urlunsplit(parts._replace(scheme="postgresql")))


def database_name(url: str) -> str:
    return parameters(url).get("dbname", "")


def tool_arguments(url: str) -> tuple[str, dict[str, str]]:
    """A connection string for pg_dump/pg_restore and their environment.

    The password travels in ``PGPASSWORD``, never on a command line that ``ps``
    shows to everyone on the machine.
    """
    params = parameters(url)
    password = params.pop("password", None)
    environment = dict(os.environ)
    if password:
        environment["PGPASSWORD"] = password
    return make_conninfo(**params), environment


def redacted(url: str) -> str:
    """``url`` with its password hidden, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def connect_maintenance(url: str) -> psycopg.Connection:
    """An autocommit connection to the server's maintenance database."""
    params = parameters(url)
    params["dbname"] = MAINTENANCE_DATABASE
    return psycopg.connect(**params, autocommit=True)


def database_exists(url: str) -> bool:
    with connect_maintenance(url) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]
        ).fetchone()
    return found is not None


def create_database(url: str) -> None:
    with connect_maintenance(url) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name(url)))
        )


def drop_database(url: str) -> None:
    with connect_maintenance(url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database_name(url))
            )
        )
