"""Benchmark of the outbox: how many messages per second two Celery workers send to a local
SMTP sink.

    DATABASE_URL=postgres://postgres@localhost:5432/visitbook .venv/bin/python \
        benchmarks/outbox.py [--messages 20000] [--workers 2] [--keep] [--replace]

DATABASE_URL only names the PostgreSQL server: the script creates its own database
(`visitbook_outbox_bench`), migrates it, queues the messages (bulk_create, all due now),
starts a Redis server of its own on a free port, an aiosmtpd sink in a child process and
the workers (`celery -A config worker --pool=solo`, one process each), runs the dispatcher
(the beat job, `messages_dispatch`) in a loop until every row is sent, and prints the
messages per second, counted from the first dispatch to the last row marked sent. Then it
stops everything and drops the database (`--keep` leaves it).

The messages are of the test-only kind of notifications/tests/outbox_kinds.py (subject,
text, HTML and a small .ics attachment), so the figure is the mechanism's, not a template's.
"""

import argparse
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchdb

ROOT = benchdb.ROOT
BENCH_DB = "visitbook_outbox_bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help=f"do not drop {BENCH_DB} after")
    parser.add_argument("--replace", action="store_true", help=f"drop a leftover {BENCH_DB}")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            sys.exit(f"Timed out waiting for {what}")
        time.sleep(0.1)


def run_sink(port: int, received) -> None:
    """The SMTP sink (child process): accepts everything, counts the e-mails."""
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM})
    controller.stop()


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def main() -> None:
    args = parse_args()
    server_url = benchdb.server_url()
    bench_url = benchdb.create_database(server_url, BENCH_DB, replace=args.replace)
    redis_port, smtp_port = free_port(), free_port()
    processes: list[subprocess.Popen] = []
    sink = None
    try:
        redis = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server") or "redis-server", "--port", str(redis_port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        processes.append(redis)
        wait_until(lambda: redis_ping(redis_port), 10, "redis-server")
        received = multiprocessing.Value("l", 0)
        sink = multiprocessing.Process(target=run_sink, args=(smtp_port, received), daemon=True)
        sink.start()

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-not-a-secret"),
            "DATABASE_URL": bench_url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "0",
            "LOG_LEVEL": "WARNING",
        }
        os.environ.update(env)
        benchdb.setup_django(bench_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        seconds = queue(args.messages)
        print(f"Queued {args.messages} messages (bulk_create) in {seconds:.1f} s")

        logs = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
        for n in range(args.workers):
            log = logs / f"worker{n + 1}.log"
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(  # noqa: S603
                        [sys.executable, "-m", "celery", "-A", "config", "worker"]
                        + ["--pool=solo", "-n", f"bench{n + 1}@%h", "-l", "INFO"]
                        + ["--include", "notifications.tests.outbox_kinds"]
                        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
            wait_until(lambda log=log: b" ready." in log.read_bytes(), 30, f"worker {n + 1}")
        print(f"{args.workers} workers (--pool=solo) ready; logs in {logs}")

        elapsed = send_all(args.messages)
        print(f"Sent {args.messages} messages in {elapsed:.1f} s with {args.workers} workers")
        print(f"The sink received {received.value} e-mails")
        print(f"{args.messages / elapsed:.0f} messages per second")
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        if sink is not None and sink.is_alive():
            os.kill(sink.pid, signal.SIGTERM)
            sink.join(5)
        benchdb.close_django()
        if args.keep:
            print(f"Kept database {BENCH_DB}")
        else:
            benchdb.drop_database(server_url, BENCH_DB)


def queue(count: int) -> float:
    from django.utils import timezone

    from notifications.models import Message
    from notifications.tests.outbox_kinds import KIND

    started = time.perf_counter()
    now = timezone.now()
    Message.objects.bulk_create(
        (
            Message(
                key=f"bench:{n}",
                kind=KIND,
                subject_ref=f"booking:{n // 4}",
                to_email=f"hr{n}@firma.example",
                to_name=f"Modtager {n}",
                due_at=now,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    return time.perf_counter() - started


def send_all(count: int) -> float:
    """Run the beat job in a loop until every row is sent; the seconds it took."""
    from notifications.dispatch import messages_dispatch
    from notifications.models import Message

    started = time.perf_counter()
    deadline = started + 3600
    while True:
        messages_dispatch()
        sent = Message.objects.filter(state=Message.State.SENT).count()
        if sent == count:
            return time.perf_counter() - started
        failed = Message.objects.filter(state=Message.State.FAILED).count()
        if failed:
            sys.exit(f"{failed} messages failed")
        if time.perf_counter() > deadline:
            sys.exit(f"Only {sent} of {count} sent after an hour")
        time.sleep(0.25)


if __name__ == "__main__":
    main()
