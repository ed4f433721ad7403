"""Running service calls at the same moment, each in its own thread with its own database
connection, for the tests of two people acting at once."""

import threading
from collections.abc import Callable

from django.db import connection, connections


def at_once(calls: list[Callable[[], object]], *, timeout: float = 60) -> list:
    """Run every call in its own thread, all released together by a barrier. Returns, in the
    calls' order, what each returned or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index]()
        except Exception as exc:  # noqa: BLE001 - the caller judges every outcome
            results[index] = exc
        finally:
            connections.close_all()  # give the pooled connection back

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def overlapping_attendees() -> list[tuple[int, int]]:
    """Pairs of active attendee rows of one consultant whose busy times overlap: the SQL
    self-join that must always come back empty."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.id, b.id FROM bookings_attendee a
            JOIN bookings_attendee b
              ON a.consultant_id = b.consultant_id AND a.id < b.id
             AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until
            WHERE a.is_active AND b.is_active
            """
        )
        return cursor.fetchall()
