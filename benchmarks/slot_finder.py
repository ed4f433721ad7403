"""Benchmark of the slot finder (bookings.slots.find_slots) on a busy jobcentre.

    DATABASE_URL=postgres://postgres@localhost:5432/visitbook .venv/bin/python \
        benchmarks/slot_finder.py [--iterations 200] [--keep] [--replace]

DATABASE_URL only names the PostgreSQL server: the script creates its own database
(`visitbook_bench` on that server), migrates it, seeds it, measures, and drops it again
(`--keep` leaves it for a look; `--replace` drops a leftover one first). It never touches
the database DATABASE_URL names.

The data: a jobcentre with 30 consultants and one with 10, all working Monday-Friday 8-16
with at most 5 visits a day, and 5 Jobservice Danmark representatives with the same hours;
about four in five of everyone's possible visits over the 6-week booking window (and the
weeks around it) are booked, a few more cancelled. Then find_slots runs for each jobcentre,
on track 2 and on track 1 (with the 5 representatives), --iterations times each, and the
script prints the median and 95th-percentile time per call in ms and the number of SQL
queries per call.
"""

import argparse
import datetime as dt
import random
import statistics
import time
from zoneinfo import ZoneInfo

import benchdb

BENCH_DB = "visitbook_bench"
CPH = ZoneInfo("Europe/Copenhagen")
# Monday 7 September 2026, 09:00: two working days' notice and the 42-day horizon give a
# window from Wednesday 9 September to Monday 19 October, with no public holidays in it.
NOW = dt.datetime(2026, 9, 7, 9, 0, tzinfo=CPH)
# Back-to-back visits of 60 minutes with 30 minutes' travel in an 8-16 day.
DAY_STARTS = (dt.time(8), dt.time(9, 30), dt.time(11), dt.time(12, 30), dt.time(14))
BOOKED_SHARE = 0.8
CANCELLED_SHARE = 0.1  # of the remaining places: a cancelled visit, which must not count


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help=f"do not drop {BENCH_DB} after")
    parser.add_argument("--replace", action="store_true", help=f"drop a leftover {BENCH_DB}")
    return parser.parse_args()


def valid_cvrs(count: int, rng: random.Random) -> list[str]:
    from campaign.validators import CVR_WEIGHTS

    found: set[str] = set()
    while len(found) < count:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        check = (11 - sum(d * w for d, w in zip(digits, CVR_WEIGHTS[:7], strict=True)) % 11) % 11
        if check < 10:
            found.add("".join(map(str, digits)) + str(check))
    return sorted(found)


def seed(rng: random.Random) -> dict:
    """Everything the slot finder reads, written with bulk_create. Returns the two
    jobcentres and the campaign."""
    from django.db import connection

    from bookings.models import Attendee, Booking, BookingState
    from campaign.models import Campaign, Company, Participation, Track
    from common.workdays import is_working_day
    from consultants.models import Consultant, Jobcentre, Municipality, WorkingHours
    from consultants.reference import reference_load

    reference_load()
    campaign = Campaign.objects.create(
        name="Benchmark", starts_on=dt.date(2026, 8, 1), ends_on=dt.date(2027, 3, 31)
    )
    big = Jobcentre.objects.get(name="Jobcenter København")
    small = Jobcentre.objects.get(name="Jobcenter Aarhus")
    elsewhere = Jobcentre.objects.get(name="Jobcenter Odense")  # the representatives' other visits
    Participation.objects.bulk_create(
        Participation(campaign=campaign, jobcentre=j, quota=1_000_000, accepted_at=NOW)
        for j in (big, small, elsewhere)
    )

    def people(jobcentre, count, kind, prefix):
        return [
            Consultant(
                jobcentre=jobcentre,
                kind=kind,
                name=f"{prefix} {i + 1:02d}",
                email=f"{prefix.lower().replace(' ', '')}{i + 1}@bench.invalid",
                max_visits_per_day=5,
                max_visits_per_week=25,
            )
            for i in range(count)
        ]

    consultants = Consultant.objects.bulk_create(
        people(big, 30, Consultant.Kind.LOCAL, "KBH")
        + people(small, 10, Consultant.Kind.LOCAL, "AAR")
        + people(None, 5, Consultant.Kind.JOBSERVICE, "JSD")
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(consultant=c, weekday=d, starts_at=dt.time(8), ends_at=dt.time(16))
        for c in consultants
        for d in range(5)
    )
    companies = {}
    for jobcentre in (big, small, elsewhere):
        municipality = Municipality.objects.filter(jobcentre=jobcentre).order_by("code").first()
        companies[jobcentre.id] = Company.objects.bulk_create(
            Company(cvr=cvr, name=f"Firma {cvr}", employees=20, municipality=municipality)
            for cvr in valid_cvrs(200, rng)
        )

    # The weeks around the window too: the weekly caps count whole ISO weeks.
    first_day = dt.date(2026, 8, 31)
    last_day = dt.date(2026, 10, 25)
    days = [
        first_day + dt.timedelta(days=n)
        for n in range((last_day - first_day).days + 1)
        if is_working_day(first_day + dt.timedelta(days=n))
    ]
    bookings, attendees = [], []
    for consultant in consultants:
        if consultant.kind == Consultant.Kind.LOCAL:
            jobcentre, track = consultant.jobcentre, Track.JOBCENTRE
        else:
            jobcentre, track = elsewhere, Track.JOBSERVICE
        for day in days:
            for start in DAY_STARTS:
                roll = rng.random()
                if roll < BOOKED_SHARE:
                    state = BookingState.BOOKED
                elif roll < BOOKED_SHARE + (1 - BOOKED_SHARE) * CANCELLED_SHARE:
                    state = BookingState.CANCELLED_COMPANY
                else:
                    continue
                starts_at = dt.datetime.combine(day, start, CPH)
                bookings.append(
                    Booking(
                        campaign=campaign,
                        track=track,
                        company=rng.choice(companies[jobcentre.id]),
                        jobcentre=jobcentre,
                        starts_at=starts_at,
                        ends_at=starts_at + dt.timedelta(hours=1),
                        state=state,
                        booked_at=NOW - dt.timedelta(days=30),
                    )
                )
                attendees.append(
                    Attendee(
                        consultant=consultant,
                        role=Attendee.Role.LOCAL
                        if consultant.kind == Consultant.Kind.LOCAL
                        else Attendee.Role.JOBSERVICE,
                        starts_at=starts_at,
                        blocked_until=starts_at + dt.timedelta(minutes=90),
                        is_active=state == BookingState.BOOKED,
                    )
                )
    Booking.objects.bulk_create(bookings, batch_size=5000)
    for booking, attendee in zip(bookings, attendees, strict=True):
        attendee.booking_id = booking.pk
    Attendee.objects.bulk_create(attendees, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live database
    return {
        "campaign": campaign,
        "big": big,
        "small": small,
        "bookings": len(bookings),
        "active": sum(a.is_active for a in attendees),
    }


def measure(label: str, iterations: int, **search) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookings.slots import find_slots

    for _ in range(5):  # warm up: connection, imports, PostgreSQL's caches
        find_slots(now=NOW, **search)
    times, counts = [], set()
    for _ in range(iterations):
        start = time.perf_counter()
        result = find_slots(now=NOW, **search)
        times.append((time.perf_counter() - start) * 1000)
    # Queries counted apart from the timing, so the counting costs no time above.
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            find_slots(now=NOW, **search)
        counts.add(len(queries))
    return {
        "label": label,
        "consultants": len(result.consultants),
        "offers": len(result.offers),
        "median": statistics.median(times),
        "p95": statistics.quantiles(times, n=20, method="inclusive")[18],
        "queries": "/".join(map(str, sorted(counts))),
    }


def main() -> None:
    args = parse_args()
    server_url = benchdb.server_url()
    bench_url = benchdb.create_database(server_url, BENCH_DB, replace=args.replace)
    try:
        benchdb.setup_django(bench_url)
        from django.core.management import call_command

        from campaign.models import Track

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        data = seed(random.Random(20151101))
        seeded = time.perf_counter()
        print(
            f"Database {BENCH_DB}: migrated in {migrated - started:.1f} s, seeded "
            f"{data['bookings']} bookings ({data['active']} active) in {seeded - migrated:.1f} s."
        )
        print(f"find_slots at {NOW:%a %d %b %Y %H:%M}, {args.iterations} calls each:\n")
        rows = [
            measure(
                f"{jobcentre.name}, track {track}",
                args.iterations,
                campaign=data["campaign"],
                jobcentre=jobcentre,
                track=track,
            )
            for jobcentre in (data["big"], data["small"])
            for track in (Track.JOBCENTRE, Track.JOBSERVICE)
        ]
        header = (
            f"{'search':36} {'people':>6} {'offers':>6} {'median ms':>10} {'p95 ms':>8} "
            f"{'queries':>7}"
        )
        print(header)
        print("-" * len(header))
        for r in rows:
            print(
                f"{r['label']:36} {r['consultants']:>6} {r['offers']:>6} "
                f"{r['median']:>10.1f} {r['p95']:>8.1f} {r['queries']:>7}"
            )
        print("\npeople: consultants (and on track 1 representatives) the search weighs.")
    finally:
        benchdb.close_django()
        if args.keep:
            print(f"\nKept database {BENCH_DB}.")
        else:
            benchdb.drop_database(server_url, BENCH_DB)


if __name__ == "__main__":
    main()
