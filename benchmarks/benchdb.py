"""What the benchmarks share: their own database on the PostgreSQL server DATABASE_URL names
(created, and dropped again unless kept), and Django set up on it.

    server = benchdb.server_url()
    url = benchdb.create_database(server, "visitbook_bench", replace=False)
    try:
        benchdb.setup_django(url)
        ...
    finally:
        benchdb.close_django()
        benchdb.drop_database(server, "visitbook_bench")

The database DATABASE_URL names is never touched: only its server is used.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@localhost:5432/visitbook"


def server_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_SERVER_URL)


def _config(url: str) -> dict:
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
    return config


def connect(url: str, dbname: str | None = None, *, autocommit: bool = True):
    """A plain psycopg connection to the database of `url` (or to `dbname` on its server)."""
    import psycopg

    config = _config(url)
    return psycopg.connect(
        dbname=dbname or config["NAME"],
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=autocommit,
    )


def database_url(url: str, dbname: str) -> str:
    """`url` with its database replaced by `dbname`."""
    config = _config(url)
    user = config["USER"] or ""
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{config['PORT']}" if config["PORT"] else ""
    return f"postgres://{auth}{config['HOST'] or 'localhost'}{port}/{dbname}"


def create_database(server: str, name: str, *, replace: bool) -> str:
    """Create the benchmark's own database `name` on the server `server` names; return its
    URL. Refuses to reuse one that exists (a run that did not finish?) unless told to
    replace it."""
    with connect(server, "postgres") as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not replace:
            sys.exit(f"Database {name} exists (a run that did not finish?). --replace drops it.")
        if exists:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return database_url(server, name)


def drop_database(server: str, name: str) -> None:
    with connect(server, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(bench_url: str, **environ: str) -> None:
    """Django on the benchmark's database; `environ` adds settings from the environment
    (those already set win)."""
    # The project first: benchmarks/reports.py must not shadow the reports app.
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for key, value in environ.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()


def close_django() -> None:
    """Close Django's connections and pools (so the database can be dropped)."""
    if "django" not in sys.modules:
        return
    from django.db import connections

    for connection in connections.all():
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()
