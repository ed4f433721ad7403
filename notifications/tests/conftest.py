"""Fixtures of the outbox tests: an SMTP sink (aiosmtpd), a Redis server of the tests' own on
a free port (so a test may stop it without touching the shared one), and real Celery
workers (`celery -A config worker --pool=solo`) started against the pytest-django test
database, the own Redis and the sink."""

import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float = 20, what: str = "the condition"):
    """Poll until predicate() is truthy; return its value. Fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


class SmtpSink:
    """An aiosmtpd handler that keeps every accepted e-mail. Recipients whose address starts
    with "refuse" are refused (550), so sending to them fails."""

    def __init__(self):
        self.port = free_port()
        self._received: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 Refused by the test sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._received.append(message)
        return "250 Message accepted for delivery"

    @property
    def received(self) -> list:
        with self._lock:
            return list(self._received)

    def keys(self) -> list[str]:
        """The outbox keys of the e-mails received, one per e-mail (duplicates kept)."""
        # A long header is folded on the wire; keys hold no whitespace, so drop it all.
        return ["".join(m["X-Visitbook-Message"].split()) for m in self.received]

    def clear(self) -> None:
        with self._lock:
            self._received.clear()


class RedisServer:
    """A redis-server of the tests' own, without persistence: stopping it loses its queue,
    as a crashed broker would."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class Workers:
    """Celery worker processes, each `--pool=solo` (one task at a time in the process
    itself, so SIGKILL lands in the middle of the task)."""

    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}
        self.started = 0

    def start(self) -> subprocess.Popen:
        self.started += 1
        name = f"outbox{self.started}"
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
                + ["-n", f"{name}@%h", "--include", "notifications.tests.outbox_kinds"]
                + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.running[name] = process

        def ready():
            if process.poll() is not None:
                raise AssertionError(f"Worker {name} exited:\n{log.read_text()}")
            return b" ready." in log.read_bytes()

        wait_for(ready, timeout=30, what=f"worker {name} to be ready")
        return process

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        self.running = {k: p for k, p in self.running.items() if p is not process}

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.running.clear()

    def ensure_one(self) -> None:
        self.running = {k: p for k, p in self.running.items() if p.poll() is None}
        if not self.running:
            self.start()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
def own_redis():
    if not os.path.exists(REDIS_SERVER):
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


def database_url() -> str:
    """The pytest-django test database (test_<name>), as a DATABASE_URL for a worker."""
    db = connection.settings_dict
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth + '@' if auth else ''}{host}{port}/{db['NAME']}"


@pytest.fixture(scope="module")
def celery_workers(django_db_setup, smtp_sink, own_redis, tmp_path_factory):
    """One running worker, and the test process's Celery app publishing to the own Redis.
    Workers retry fast (3 attempts, 1 s then 2 s)."""
    from config.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("The worker tests need PostgreSQL (SKIP LOCKED, a shared test database)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "test-only-worker-key-not-for-production",
        "DEBUG": "0",
        "DATABASE_URL": database_url(),
        "REDIS_URL": own_redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_sink.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_TIMEOUT": "5",
        "NOTIFICATIONS_MAX_ATTEMPTS": "3",
        "NOTIFICATIONS_RETRY_BACKOFF": "1",
        "NOTIFICATIONS_RETRY_BACKOFF_MAX": "4",
        "LOG_LEVEL": "INFO",
    }
    previous = app.conf.broker_url
    _point_app_at(app, own_redis.url)
    workers = Workers(env, tmp_path_factory.mktemp("celery"))
    workers.start()
    yield workers
    workers.stop_all()
    _point_app_at(app, previous)


def _point_app_at(app, url: str) -> None:
    app.conf.broker_url = url
    app._pool = None  # the connection pools are made lazily from broker_url
    app.amqp._producer_pool = None
