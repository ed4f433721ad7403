"""Benchmark of the agency's dashboards (reports/) on years of campaigns.

    DATABASE_URL=postgres://postgres@localhost:5432/postgres .venv/bin/python \
        benchmarks/reports.py [--visits 1000000] [--runs 30] [--keep] [--replace] [--reuse]

DATABASE_URL only names the PostgreSQL server: the script creates its own database
(`visitbook_bench_reports` on that server), migrates it, seeds it, measures, and drops it
again (`--keep` leaves it for a look or a later `--reuse`, which migrates and measures a kept
database without seeding it again; `--replace` drops a leftover one first).

The data, written with set-based SQL (INSERT ... SELECT FROM generate_series; the ORM only
for the few thousand rows of people, campaigns and scripts): 8 yearly campaigns, the newest
running today and the one measured, each with 1/8 of the visits; 73 participating
jobcentres with 2,500 consultants and 50 Jobservice representatives laid out on a grid of
non-overlapping visit times (the exclusion constraint holds); companies with valid CVR
numbers, call lists, entries and calls (made in shifts: PHONERS_ON_DUTY phoners in any
working hour) with the phoners' tallies; visits in realistic states (more
cancelled the further ahead they were booked), outcomes for about two thirds of the past
visits, agreements, follow-ups (on time, late, overdue, open) and survey invitations. Then
VACUUM ANALYZE.

Then every dashboard page and /api/v1/reports/ endpoint is fetched with django.test.Client
as agency staff (and as a coordinator), for the newest campaign and the filters that matter,
--warmups times untimed and --runs times timed (fewer, but at least 5, where they take
longer than --budget seconds in all): the median and 95th percentile of the server
time, the number of SQL queries, and the time of the same SQL statements run directly with a
psycopg cursor (the sum over the statements of one request, median over --runs replays).
The script exits non-zero only on errors (a page that does not answer 200), never on time.
"""

# The SQL below is built from this script's own constants and ids, never from input:
# ruff: noqa: S608

import argparse
import datetime as dt
import logging
import math
import random
import re
import statistics
import sys
import time
import traceback
import warnings

import benchdb

BENCH_DB = "visitbook_bench_reports"
CAMPAIGNS = 8
PARTICIPATING = 73
CONSULTANTS = 2500  # local consultants of the participating jobcentres
REPRESENTATIVES = 50  # Jobservice Danmark
PHONERS = 120
PHONERS_ON_DUTY = 24  # on the phones in any one working hour
SLOTS_PER_DAY = 4  # visits start at 08, 10, 12 and 14: 60 minutes and 30 minutes' travel fit
TRACK1_SHARE = 0.07  # the report: 266 of ~3,970 visits
MOVED_SHARE = 0.03  # visits that were moved once (a 'moved' row beside them)
ENTRIES_PER_VISIT = 2.5  # firms on the call lists per visit booked
POOL_SLACK = 1.25  # companies per jobcentre and track, over the longest list
COORDINATOR_JOBCENTRE = "Jobcenter København"
MEASURED_AREA = "Hovedstaden"
TZ = "Europe/Copenhagen"
NOT_REACHED = "('no_answer', 'busy', 'wrong_number')"  # campaign.models.CallAttempt.NOT_REACHED
DECLARE = re.compile(r"\s*DECLARE\s+\S+\s.*?\bCURSOR\b.*?\bFOR\s+", re.IGNORECASE | re.DOTALL)

# Table 1 of the report: positions agreed per kind, the weights of the kinds seeded.
AGREEMENT_WEIGHTS = (
    ("job_order", 680),
    ("skills_job", 38),
    ("adult_apprentice", 63),
    ("job_rotation", 31),
    ("wage_subsidy", 65),
    ("internship", 366),
    ("fagpilot", 11),
    ("retention", 56),
    ("refugee_places", 210),
    ("integration_agreement", 20),
)
FOLLOWUP_KINDS = ("call", "meeting", "candidates", "information", "agreement", "other")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=1_000_000, help="visits in all campaigns")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per row")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests first")
    parser.add_argument(
        "--budget",
        type=float,
        default=60,
        help="seconds of timed requests per row at most (but at least 5 requests)",
    )
    parser.add_argument("--keep", action="store_true", help=f"do not drop {BENCH_DB} after")
    parser.add_argument("--replace", action="store_true", help=f"drop a leftover {BENCH_DB}")
    parser.add_argument(
        "--reuse", action="store_true", help=f"measure a kept {BENCH_DB} without seeding"
    )
    args = parser.parse_args()
    if args.visits < 10_000:
        parser.error("--visits must be at least 10000")
    return args


# --- Seeding ----------------------------------------------------------------------------------


def rnd(expr: str, salt: int) -> str:
    """SQL for a deterministic pseudo-random number in [0, 1) from an integer expression:
    every run seeds the same data."""
    bits = f"hashint8extended(({expr})::bigint, {salt}) & 9007199254740991"
    return f"(({bits})::float8 / 9007199254740992.0)"


def lit(value) -> str:
    """A SQL literal for our own dates and times (utility statements take no parameters)."""
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, dt.date):
        return f"'{value.isoformat()}'::date"
    raise TypeError(value)


# The visit's keys that bookings' registered rows (outcome, agreements, follow-ups) may carry
# as copies (bookings.models.VisitKeys): column -> its value from the staged visit `v`.
VISIT_KEYS = {
    "campaign_id": "v.campaign_id",
    "track": "v.track",
    "jobcentre_id": "v.jobcentre_id",
    "visit_starts_at": "v.starts_at",
    "booked_by_id": "(SELECT b.booked_by_id FROM bookings_booking b WHERE b.id = v.id)",
}


def visit_keys(cur, table: str) -> tuple[str, str]:
    """(", col, ..." and ", v.expr, ..."): the visit keys `table` has, for an INSERT ...
    SELECT from the staged visits; empty strings where it has none."""
    columns = {
        row[0]
        for row in cur.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
    }
    keys = [k for k in VISIT_KEYS if k in columns]
    if not keys:
        return "", ""
    return ", " + ", ".join(keys), ", " + ", ".join(VISIT_KEYS[k] for k in keys)


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    from common.workdays import is_working_day

    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if is_working_day(day)]


def seed_people(rng: random.Random, visits: int, now: dt.datetime) -> dict:
    """Campaigns, participations, consultants, users and call scripts: a few thousand rows,
    with bulk_create. Returns the campaigns' plan (visits and working days each)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from campaign.models import CallScript, Campaign, Participation, Track
    from consultants.models import Consultant, Coordinator, Jobcentre
    from consultants.reference import reference_load
    from consultants.roles import Role
    from surveys.shipped import shipped_surveys_load

    reference_load()
    shipped_surveys_load()
    today = now.date()

    # The newest campaign started ~100 days ago and has visits up to 35 days ahead; the others
    # ran a year apart before it, September to March.
    newest_start = today - dt.timedelta(days=100)
    plan = []
    for ord_ in range(CAMPAIGNS):
        back = CAMPAIGNS - 1 - ord_
        starts_on = newest_start - dt.timedelta(days=365 * back)
        if back == 0:
            ends_on = today + dt.timedelta(days=90)
            days = working_days(starts_on + dt.timedelta(days=7), today + dt.timedelta(days=35))
        else:
            ends_on = starts_on + dt.timedelta(days=210)
            days = working_days(starts_on + dt.timedelta(days=14), ends_on - dt.timedelta(days=14))
        campaign = Campaign.objects.create(
            name=f"Virksomhedskampagnen {starts_on.year}-{(starts_on.year + 1) % 100:02d}",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        share = visits // CAMPAIGNS + (visits % CAMPAIGNS if back == 0 else 0)
        plan.append({"campaign": campaign, "ord": ord_, "visits": share, "days": days})

    jobcentres = list(Jobcentre.objects.order_by("name"))
    big = {"Jobcenter København": 12, "Jobcenter Aarhus": 8, "Jobcenter Odense": 5}
    big["Jobcenter Aalborg"] = 5
    chosen = [j for j in jobcentres if j.name in big]
    others = [j for j in jobcentres if j.name not in big]
    chosen += rng.sample(others, PARTICIPATING - len(chosen))
    weights = {j.pk: big.get(j.name) or rng.choice((1, 1, 2, 2, 3, 4)) for j in chosen}
    total_weight = sum(weights.values())
    Participation.objects.bulk_create(
        Participation(campaign=p["campaign"], jobcentre=j, quota=0, accepted_at=now)
        for p in plan
        for j in chosen
    )
    people = []
    for jobcentre in chosen:
        count = max(4, round(CONSULTANTS * weights[jobcentre.pk] / total_weight))
        people += [
            Consultant(
                jobcentre=jobcentre,
                kind=Consultant.Kind.LOCAL,
                name=f"{jobcentre.name[10:]} konsulent {i + 1:03d}",
                email=f"k{jobcentre.pk}-{i + 1}@bench.invalid",
            )
            for i in range(count)
        ]
    people += [
        Consultant(
            kind=Consultant.Kind.JOBSERVICE,
            name=f"Jobservice {i + 1:02d}",
            email=f"jsd{i + 1}@bench.invalid",
        )
        for i in range(REPRESENTATIVES)
    ]
    Consultant.objects.bulk_create(people, batch_size=1000)

    User = get_user_model()
    phoners = User.objects.bulk_create(
        User(username=f"phoner{i + 1:03d}", first_name="Phoner", last_name=f"{i + 1:03d}")
        for i in range(PHONERS)
    )
    groups = {g.name: g for g in Group.objects.filter(name__in=list(Role))}
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=u.pk, group_id=groups[Role.PHONER].pk) for u in phoners
    )
    agency = User.objects.create_user("bench-agency", first_name="Agency")
    agency.groups.add(groups[Role.AGENCY])
    coordinator = User.objects.create_user("bench-coordinator", first_name="Koordinator")
    coordinator.groups.add(groups[Role.COORDINATOR])
    Coordinator.objects.create(
        user=coordinator, jobcentre=Jobcentre.objects.get(name=COORDINATOR_JOBCENTRE)
    )
    CallScript.objects.bulk_create(
        CallScript(campaign=p["campaign"], track=track, version=version, body="Goddag ...")
        for p in plan
        for track in Track.values
        for version in (1, 2)
    )
    return {"plan": plan, "locals": sum(1 for c in people if c.jobcentre_id)}


def seed_sql(cur, plan: list[dict], locals_: int, now: dt.datetime) -> None:
    """The large tables, set-based: staging tables of visits, groups and entries first, then
    INSERT ... SELECT into the application's tables."""
    from surveys.models import Survey

    r = rnd
    now_sql = lit(now)
    today_sql = f"({now_sql} AT TIME ZONE '{TZ}')::date"
    reps = REPRESENTATIVES
    surveys = {s.track: s.pk for s in Survey.objects.filter(key__startswith="company-track-")}

    def run(label: str, sql: str) -> None:
        started = time.perf_counter()
        cur.execute(sql)
        print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)

    cur.execute(
        "CREATE TEMP TABLE b_camp (campaign_id bigint, ord int, n_visits int, first_id bigint,"
        " step int, current bool, start_date date)"
    )
    cur.execute("CREATE TEMP TABLE b_days (campaign_id bigint, n int, day date)")
    first_id = 1
    for p in plan:
        per_consultant = math.ceil(p["visits"] / locals_)
        step = len(p["days"]) * SLOTS_PER_DAY // per_consultant
        if step < 1:
            sys.exit("Too many visits for the consultants' time: lower --visits.")
        cur.execute(
            "INSERT INTO b_camp VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                p["campaign"].pk,
                p["ord"],
                p["visits"],
                first_id,
                step,
                p["ord"] == CAMPAIGNS - 1,
                p["campaign"].starts_on,
            ],
        )
        with cur.copy("COPY b_days (campaign_id, n, day) FROM STDIN") as copy:
            for n, day in enumerate(p["days"]):
                copy.write_row((p["campaign"].pk, n, day))
        first_id += p["visits"]
    total = first_id - 1  # moved rows get ids above this

    cur.execute(
        "CREATE TEMP TABLE b_cons AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS idx,"
        " id AS consultant_id, jobcentre_id FROM consultants_consultant WHERE kind = 'local'"
    )
    cur.execute(
        "CREATE TEMP TABLE b_reps AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS idx,"
        " id AS consultant_id FROM consultants_consultant WHERE kind = 'jobservice'"
    )
    cur.execute(
        "CREATE TEMP TABLE b_phoners AS SELECT (row_number() OVER (ORDER BY u.id) - 1)::int"
        " AS idx, u.id AS user_id FROM auth_user u JOIN auth_user_groups ug ON ug.user_id = u.id"
        " JOIN auth_group g ON g.id = ug.group_id AND g.name = 'phoner'"
    )
    phoners = cur.execute("SELECT count(*) FROM b_phoners").fetchone()[0]
    # Who makes a call: one of the PHONERS_ON_DUTY phoners on the phones in its clock hour (a
    # different set each hour), so a phoner's calls come in shifts, as they do.
    cur.execute(
        f"""
        CREATE FUNCTION pg_temp.b_on_duty(t timestamptz, seed bigint) RETURNS int
        LANGUAGE sql IMMUTABLE AS $$
            SELECT ((floor(extract(epoch FROM t) / 3600)::bigint * 37
                     + (hashint8extended(seed, 34) & 1048575) % {PHONERS_ON_DUTY})
                    % {phoners})::int
        $$
        """
    )
    cur.execute(
        "CREATE TEMP TABLE b_muni AS SELECT jobcentre_id, id AS municipality_id,"
        " (row_number() OVER (PARTITION BY jobcentre_id ORDER BY code) - 1)::int AS idx,"
        " count(*) OVER (PARTITION BY jobcentre_id)::int AS n FROM consultants_municipality"
    )
    cur.execute(
        "CREATE TEMP TABLE b_script AS"
        " SELECT id, campaign_id, track, version FROM campaign_callscript"
    )

    # Every visit: a local consultant (round robin), a time on that consultant's grid
    # (spread over the campaign's working days, an offset per consultant), and on track 1 a
    # representative free at that time (the n-th track-1 visit at a time gets the n-th
    # representative, rotated per day; a time with more track-1 visits than representatives
    # makes the rest track 2).
    run(
        "visits staged",
        f"""
        CREATE TEMP TABLE b_grid AS
        WITH grid AS (
            SELECT c.campaign_id, c.ord, c.current, c.first_id + i AS id,
                   k.consultant_id, k.jobcentre_id,
                   (i / {locals_}) * c.step
                     + (hashint8extended(k.consultant_id, c.ord) & 1048575) % c.step AS p
            FROM b_camp c
            CROSS JOIN LATERAL generate_series(0, c.n_visits - 1) AS i
            JOIN b_cons k ON k.idx = i % {locals_}
        ), timed AS (
            SELECT g.*, d.n AS dayno,
                   ((d.day + make_interval(hours => 8 + 2 * (g.p % {SLOTS_PER_DAY})::int))
                     AT TIME ZONE '{TZ}') AS starts_at
            FROM grid g
            JOIN b_days d ON d.campaign_id = g.campaign_id AND d.n = g.p / {SLOTS_PER_DAY}
        ), ranked AS (
            SELECT t.*, {r("t.id", 1)} < {TRACK1_SHARE} AS wants_rep,
                   row_number() OVER (
                       PARTITION BY t.starts_at, {r("t.id", 1)} < {TRACK1_SHARE} ORDER BY t.id
                   ) AS rn
            FROM timed t
        )
        SELECT r.id, r.campaign_id, r.ord, r.current, r.consultant_id, r.jobcentre_id,
               r.starts_at, r.starts_at + interval '60 minutes' AS ends_at,
               CASE WHEN rep.consultant_id IS NULL THEN '2' ELSE '1' END AS track,
               rep.consultant_id AS rep_id
        FROM ranked r
        LEFT JOIN b_reps rep
          ON r.wants_rep AND r.rn <= {reps} AND rep.idx = (r.rn - 1 + r.dayno * 7) % {reps}
        """,
    )
    # Lead time (days from booking to visit; the newest campaign keeps the 42-day horizon),
    # state (cancelled more often the longer the lead; past visits mostly with an outcome,
    # the last three days' less often; coming ones booked) and the visit's place in its
    # call list (grank: the visit of the list's grank-th entry).
    run(
        "states staged",
        f"""
        CREATE TEMP TABLE b_v AS
        WITH l AS (
            SELECT g.*,
                   (CASE WHEN {r("id", 2)} < 0.55 THEN 2 + floor({r("id", 3)} * 19)
                         WHEN {r("id", 2)} < 0.88 OR current THEN 21 + floor({r("id", 3)} * 22)
                         ELSE 43 + floor({r("id", 3)} * 45) END)::int AS lead,
                   g.ends_at <= {now_sql} AS past,
                   g.ends_at <= {now_sql} - interval '3 days' AS settled
            FROM b_grid g
        ), s AS (
            SELECT l.*,
                   least(l.starts_at - make_interval(days => l.lead,
                                                     hours => 1 + floor({r("id", 4)} * 5)::int),
                         {now_sql} - interval '1 hour') AS booked_at,
                   CASE WHEN {r("id", 5)}
                               < (0.055 + 0.003 * lead) * (CASE WHEN past THEN 1 ELSE 0.5 END)
                          THEN CASE WHEN {r("id", 6)} < 0.8 THEN 'cancelled_company'
                                    ELSE 'cancelled_jobcentre' END
                        WHEN past AND {r("id", 7)} < (CASE WHEN settled THEN 0.70 ELSE 0.25 END)
                          THEN CASE WHEN {r("id", 8)} < 0.80 THEN 'held'
                                    WHEN {r("id", 8)} < 0.87 THEN 'held_short'
                                    WHEN {r("id", 8)} < 0.92 THEN 'held_phone'
                                    WHEN {r("id", 8)} < 0.98 THEN 'no_show_company'
                                    ELSE 'no_show_consultant' END
                        ELSE 'booked' END AS state
            FROM l
        )
        SELECT s.*,
               (state NOT IN ('booked', 'cancelled_jobcentre')
                AND (state <> 'cancelled_company' OR (past AND {r("id", 9)} < 0.5))) AS has_outcome,
               least(ends_at + make_interval(hours => 1 + floor({r("id", 10)} * 70)::int),
                     {now_sql}) AS registered_at,
               {r("id", 20)} < {MOVED_SHARE} AS moved,
               (row_number() OVER (PARTITION BY campaign_id, jobcentre_id, track ORDER BY id)
                - 1)::int AS grank
        FROM s
        """,
    )
    cur.execute("CREATE INDEX ON b_v (campaign_id, jobcentre_id, track, grank)")
    cur.execute("DROP TABLE b_grid")

    # Call lists: one per campaign, jobcentre and track; ENTRIES_PER_VISIT firms per visit.
    # Each jobcentre and track has its own pool of companies, and a campaign's list takes
    # them in a rotated order (so firms come back in later campaigns).
    cur.execute(
        f"""
        CREATE TEMP TABLE b_group AS
        SELECT v.campaign_id, v.jobcentre_id, v.track, count(*)::int AS v,
               (ceil(count(*) * {ENTRIES_PER_VISIT}) + 5)::int AS e
        FROM b_v v GROUP BY 1, 2, 3
        """
    )
    cur.execute(
        """
        ALTER TABLE b_group ADD COLUMN call_list_id bigint, ADD COLUMN entry_first bigint;
        UPDATE b_group g SET call_list_id = x.rn, entry_first = x.first
        FROM (SELECT campaign_id, jobcentre_id, track,
                     row_number() OVER (ORDER BY campaign_id, jobcentre_id, track) AS rn,
                     sum(e) OVER (ORDER BY campaign_id, jobcentre_id, track) - e + 1 AS first
              FROM b_group) x
        WHERE (g.campaign_id, g.jobcentre_id, g.track) = (x.campaign_id, x.jobcentre_id, x.track)
        """
    )
    cur.execute(
        f"""
        CREATE TEMP TABLE b_pool AS
        SELECT jobcentre_id, track, size,
               (sum(size) OVER (ORDER BY jobcentre_id, track) - size + 1)::bigint AS first_id
        FROM (SELECT jobcentre_id, track, ceil(max(e) * {POOL_SLACK})::int AS size
              FROM b_group GROUP BY 1, 2) x
        """
    )
    companies = cur.execute("SELECT sum(size) FROM b_pool").fetchone()[0]

    # Valid CVR numbers: 7 digits spread over the range and the modulus-11 check digit
    # (prefixes whose check digit would be 10 are skipped).
    run(
        "companies",
        f"""
        WITH prefixes AS (
            SELECT q, (2 * (q / 1000000) + 7 * (q / 100000 % 10) + 6 * (q / 10000 % 10)
                       + 5 * (q / 1000 % 10) + 4 * (q / 100 % 10) + 3 * (q / 10 % 10)
                       + 2 * (q % 10)) % 11 AS s
            FROM generate_series(1000000::bigint, 9999999::bigint, 3) AS q
        ), cvrs AS (
            SELECT row_number() OVER (ORDER BY q) AS id, (q * 10 + (11 - s) % 11)::text AS cvr
            FROM prefixes WHERE (11 - s) % 11 < 10
        )
        INSERT INTO campaign_company (
            id, cvr, name, employees, sites, address, postcode, city, municipality_id, phone,
            email, contact_name, contact_role, last_jobcentre_cooperation, do_not_contact,
            do_not_contact_at, language)
        SELECT c.id, cvrs.cvr, 'Firma ' || c.id || ' ApS',
               CASE p.track WHEN '1' THEN 101 + floor({r("c.id", 100)} ^ 3 * 4900)
                            ELSE 5 + floor({r("c.id", 100)} * 96) END,
               CASE p.track WHEN '1' THEN 1 + floor({r("c.id", 101)} * 12) ELSE 1 END,
               'Erhvervsvej ' || (c.id % 200 + 1), '', '', m.municipality_id,
               '+45 ' || (20000000 + c.id), 'firma' || c.id || '@bench.invalid',
               'Kontakt ' || c.id, CASE p.track WHEN '1' THEN 'HR-chef' ELSE 'Ejer' END,
               NULL, {r("c.id", 102)} < 0.01, NULL, 'da'
        FROM b_pool p
        CROSS JOIN LATERAL generate_series(p.first_id, p.first_id + p.size - 1) AS c(id)
        JOIN b_muni m ON m.jobcentre_id = p.jobcentre_id AND m.idx = c.id % m.n
        JOIN cvrs ON cvrs.id = c.id
        """,
    )
    run(
        "call lists",
        """
        INSERT INTO campaign_calllist (id, campaign_id, jobcentre_id, track, status,
                                       vetting_deadline, released_at)
        SELECT g.call_list_id, g.campaign_id, g.jobcentre_id, g.track,
               CASE WHEN c.current THEN 'released' ELSE 'closed' END,
               c.start_date + 10, (c.start_date + 14)::timestamp AT TIME ZONE 'Europe/Copenhagen'
        FROM b_group g JOIN b_camp c USING (campaign_id)
        """,
    )
    # Entries: the first v of a list are the firms that booked (in visit order); the rest
    # approved, excluded or (newest campaign) not vetted yet, called or not, reached or not.
    run(
        "entries staged",
        f"""
        CREATE TEMP TABLE b_entry AS
        WITH e AS (
            SELECT g.entry_first + k AS id, g.call_list_id, g.campaign_id, g.jobcentre_id,
                   g.track, k, k < g.v AS booked, c.current, c.start_date,
                   p.first_id + (k + c.ord * 7919) % p.size AS company_id
            FROM b_group g
            JOIN b_camp c USING (campaign_id)
            JOIN b_pool p USING (jobcentre_id, track)
            CROSS JOIN LATERAL generate_series(0, g.e - 1) AS k
        ), v AS (
            SELECT e.*,
                   CASE WHEN booked THEN 'approved'
                        WHEN current AND {r("e.id", 30)} < 0.08 THEN 'pending'
                        WHEN {r("e.id", 30)} < 0.15 THEN 'excluded'
                        ELSE 'approved' END AS vetting
            FROM e
        ), c AS (
            SELECT v.*,
                   booked OR (vetting = 'approved'
                              AND {r("v.id", 31)} < (CASE WHEN current THEN 0.55 ELSE 0.8 END))
                     AS called,
                   {r("v.id", 32)} AS u
            FROM v
        )
        SELECT c.id, c.call_list_id, c.campaign_id, c.jobcentre_id, c.track, c.k, c.booked,
               c.current, c.company_id, c.vetting,
               CASE WHEN NOT c.called THEN 0
                    ELSE 1 + ({r("c.id", 33)} < 0.4)::int + ({r("c.id", 33)} < 0.15)::int
               END AS n_calls,
               CASE WHEN c.booked THEN 'booked'
                    WHEN NOT c.called THEN NULL
                    WHEN c.u < 0.24 THEN 'not_interested'
                    WHEN c.u < 0.34 THEN 'call_back'
                    WHEN c.u < 0.40 THEN 'do_not_contact'
                    WHEN c.u < 0.75 THEN 'no_answer'
                    WHEN c.u < 0.95 THEN 'busy'
                    ELSE 'wrong_number' END AS last_outcome,
               c.start_date,
               least(((c.start_date + 14 + floor({r("c.id", 36)} * 120)::int)
                        + make_interval(hours => 9 + floor({r("c.id", 37)} * 7)::int,
                                        mins => floor({r("c.id", 38)} * 60)::int))
                       AT TIME ZONE '{TZ}',
                     {now_sql} - interval '2 hours') AS last_call_at
        FROM c
        """,
    )
    cur.execute("CREATE INDEX ON b_entry (campaign_id, jobcentre_id, track, k)")
    run(
        "call list entries",
        f"""
        INSERT INTO campaign_calllistentry (
            id, call_list_id, company_id, position, vetting, exclusion_reason, exclusion_note,
            vetted_by_id, vetted_at, status, attempts, next_call_at, callback_for_id,
            claimed_by_id, claimed_until)
        SELECT e.id, e.call_list_id, e.company_id, e.k, e.vetting,
               CASE WHEN e.vetting = 'excluded'
                    THEN CASE WHEN {r("e.id", 39)} < 0.6 THEN 'customer' ELSE 'timing' END
                    ELSE '' END,
               '', NULL, NULL,
               CASE WHEN e.booked THEN 'booked'
                    WHEN e.n_calls = 0 THEN CASE WHEN e.current THEN 'open' ELSE 'closed' END
                    WHEN e.last_outcome IN ('no_answer', 'busy')
                      THEN CASE WHEN e.current THEN 'retry' ELSE 'closed' END
                    WHEN e.last_outcome = 'call_back'
                      THEN CASE WHEN e.current THEN 'callback' ELSE 'closed' END
                    ELSE 'closed' END,
               CASE WHEN e.last_outcome IN ('no_answer', 'busy') THEN e.n_calls ELSE 0 END,
               CASE WHEN e.current AND e.last_outcome IN ('no_answer', 'busy', 'call_back')
                    THEN e.last_call_at + interval '2 days' END,
               NULL, NULL, NULL
        FROM b_entry e
        """,
    )
    # Visits: the visit of entry grank, booked at the time of the entry's last call by the
    # phoner on duty who made it. A moved visit also has its 'moved' row, a week earlier.
    cur.execute(
        """
        CREATE TEMP TABLE b_booking AS
        SELECT v.*, e.id AS entry_id, e.company_id, e.call_list_id, ph.user_id AS booked_by_id
        FROM b_v v
        JOIN b_entry e ON (e.campaign_id, e.jobcentre_id, e.track, e.k)
                        = (v.campaign_id, v.jobcentre_id, v.track, v.grank)
        JOIN b_phoners ph ON ph.idx = pg_temp.b_on_duty(v.booked_at, e.id * 4 + e.n_calls)
        """
    )
    run(
        "calls",
        f"""
        INSERT INTO campaign_callattempt (entry_id, phoner_id, script_id, outcome, reason, note,
                                          callback_at, called_at)
        SELECT e.id, ph.user_id, s.id, x.outcome,
               CASE WHEN x.outcome = 'not_interested'
                    THEN (ARRAY['no_need', 'no_time', 'has_partner', 'bad_experience', 'other'])
                         [1 + floor({r("e.id", 40)} * 5)::int]
                    ELSE '' END,
               '', CASE WHEN x.outcome = 'call_back' THEN x.called_at + interval '2 days' END,
               x.called_at
        FROM b_entry e
        LEFT JOIN b_booking b ON b.entry_id = e.id
        CROSS JOIN LATERAL generate_series(1, e.n_calls) AS j
        CROSS JOIN LATERAL (
            SELECT CASE WHEN j < e.n_calls
                        THEN CASE WHEN {r("e.id * 4 + j", 41)} < 0.7 THEN 'no_answer'
                                  ELSE 'busy' END
                        ELSE e.last_outcome END AS outcome,
                   coalesce(b.booked_at, e.last_call_at)
                     - make_interval(days => (e.n_calls - j) * 2) AS called_at
        ) x
        JOIN b_phoners ph ON ph.idx = pg_temp.b_on_duty(x.called_at, e.id * 4 + j)
        -- Version 2 of the script halfway through the calling days.
        JOIN b_script s ON s.campaign_id = e.campaign_id AND s.track = e.track
                       AND s.version = CASE WHEN x.called_at < (e.start_date + 14 + 60)
                                            THEN 1 ELSE 2 END
        WHERE e.n_calls > 0
        ORDER BY e.id, j
        """,
    )
    run(
        "entries' first call and first reached",
        f"""
        UPDATE campaign_calllistentry e
        SET first_called_at = c.first_called_at, reached_at = c.reached_at
        FROM (SELECT entry_id, min(called_at) AS first_called_at,
                     min(called_at) FILTER (WHERE outcome NOT IN {NOT_REACHED}) AS reached_at
              FROM campaign_callattempt GROUP BY entry_id) c
        WHERE c.entry_id = e.id
        """,
    )
    # The phoners' tallies, as campaign.calls.call_create keeps them.
    run(
        "phoners' hours",
        f"""
        INSERT INTO campaign_phonerhour (phoner_id, campaign_id, track, script_id, hour, calls,
                                         contacts, bookings)
        SELECT c.phoner_id, l.campaign_id, l.track, c.script_id,
               date_trunc('hour', c.called_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
               count(*), count(*) FILTER (WHERE c.outcome NOT IN {NOT_REACHED}),
               count(*) FILTER (WHERE c.outcome = 'booked')
        FROM campaign_callattempt c
        JOIN campaign_calllistentry e ON e.id = c.entry_id
        JOIN campaign_calllist l ON l.id = e.call_list_id
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 2, 5
        """,
    )
    # Their sums, as phoner_totals_rebuild makes them: per script, and the hours worked per
    # campaign and track, per campaign, per track and in all.
    run(
        "phoners' script totals",
        """
        INSERT INTO campaign_phonerscripttotals (phoner_id, campaign_id, track, script_id, hours,
                                                 calls, contacts, bookings)
        SELECT phoner_id, campaign_id, track, script_id, count(*), sum(calls), sum(contacts),
               sum(bookings)
        FROM campaign_phonerhour
        GROUP BY 1, 2, 3, 4
        """,
    )
    run(
        "phoners' hours worked",
        """
        INSERT INTO campaign_phonerworkedhours (phoner_id, campaign_id, track, hours)
        SELECT phoner_id, campaign_id, coalesce(track, ''), count(DISTINCT hour)
        FROM campaign_phonerhour
        GROUP BY GROUPING SETS ((phoner_id, campaign_id, track), (phoner_id, campaign_id),
                                (phoner_id, track), (phoner_id))
        """,
    )
    run(
        "phoners' firms",
        f"""
        INSERT INTO campaign_phonerfirms (phoner_id, call_list_id, called, reached)
        SELECT phoner_id, call_list_id, count(*), count(*) FILTER (WHERE reached)
        FROM (SELECT c.phoner_id, e.call_list_id, c.entry_id,
                     bool_or(c.outcome NOT IN {NOT_REACHED}) AS reached
              FROM campaign_callattempt c
              JOIN campaign_calllistentry e ON e.id = c.entry_id
              GROUP BY 1, 2, 3) f
        GROUP BY 1, 2
        ORDER BY 2
        """,
    )
    booking_columns = (
        "id, campaign_id, track, company_id, jobcentre_id, starts_at, ends_at, state, location,"
        " contact_name, contact_email, contact_phone, booked_by_id, call_list_id, call_id,"
        " replaces_id, cancel_reason, booked_at, changed_at, sequence"
    )
    run(
        "visits",
        f"""
        INSERT INTO bookings_booking ({booking_columns})
        SELECT b.id + {total}, b.campaign_id, b.track, b.company_id, b.jobcentre_id,
               b.starts_at - interval '7 days', b.ends_at - interval '7 days', 'moved', '',
               'Kontakt', '', '', b.booked_by_id, b.call_list_id, NULL, NULL, '',
               b.booked_at - interval '3 days', b.booked_at, 0
        FROM b_booking b WHERE b.moved ORDER BY b.id;
        INSERT INTO bookings_booking ({booking_columns})
        SELECT b.id, b.campaign_id, b.track, b.company_id, b.jobcentre_id, b.starts_at,
               b.ends_at, b.state, '', 'Kontakt', '', '', b.booked_by_id, b.call_list_id, NULL,
               CASE WHEN b.moved THEN b.id + {total} END,
               CASE WHEN b.state LIKE 'cancelled%' THEN 'Firmaet har ikke tid' ELSE '' END,
               b.booked_at, greatest(b.booked_at, b.registered_at), (b.moved)::int
        FROM b_booking b ORDER BY b.id
        """,
    )
    run(
        "attendees",
        f"""
        INSERT INTO bookings_attendee (booking_id, consultant_id, role, starts_at, blocked_until,
                                       is_active, acknowledged_at)
        SELECT id, consultant_id, 'local', starts_at, starts_at + interval '90 minutes',
               state NOT LIKE 'cancelled%',
               CASE WHEN {r("id", 50)} < 0.93
                    THEN least(booked_at + interval '5 hours', {now_sql}) END
        FROM b_v
        UNION ALL
        SELECT id, rep_id, 'jobservice', starts_at, starts_at + interval '90 minutes',
               state NOT LIKE 'cancelled%',
               CASE WHEN {r("id", 51)} < 0.93
                    THEN least(booked_at + interval '8 hours', {now_sql}) END
        FROM b_v WHERE rep_id IS NOT NULL
        UNION ALL
        SELECT id + {total}, consultant_id, 'local', starts_at - interval '7 days',
               starts_at - interval '7 days' + interval '90 minutes', false, NULL
        FROM b_v WHERE moved
        """,
    )
    keys, values = visit_keys(cur, "bookings_outcome")
    run(
        "outcomes",
        f"""
        INSERT INTO bookings_outcome (id, booking_id, kind, reason, note, registered_by_id,
                                      registered_at{keys})
        SELECT v.id, v.id, v.state, '', '', NULL, v.registered_at{values}
        FROM b_v v WHERE v.has_outcome
        """,
    )
    total_weight = sum(w for _k, w in AGREEMENT_WEIGHTS)
    bounds, acc = [], 0
    for kind, weight in AGREEMENT_WEIGHTS:
        acc += weight
        bounds.append(f"WHEN x.u < {acc / total_weight:.6f} THEN '{kind}'")
    kind_case = "CASE " + " ".join(bounds[:-1]) + f" ELSE '{AGREEMENT_WEIGHTS[-1][0]}' END"
    keys, values = visit_keys(cur, "bookings_agreement")
    run(
        "agreements",
        f"""
        INSERT INTO bookings_agreement (outcome_id, kind, positions, filled_positions, filled_on
                                        {keys})
        SELECT v.id, y.kind, y.positions,
               CASE WHEN y.kind = 'job_order' AND {r("v.id * 4 + j", 72)} < 0.18
                         AND v.starts_at < {now_sql} - interval '30 days'
                    THEN y.positions ELSE 0 END,
               CASE WHEN y.kind = 'job_order' AND {r("v.id * 4 + j", 72)} < 0.18
                         AND v.starts_at < {now_sql} - interval '30 days'
                    THEN (v.starts_at AT TIME ZONE '{TZ}')::date + 30 END{values}
        FROM b_v v
        CROSS JOIN LATERAL generate_series(
            1, CASE WHEN {r("v.id", 70)} < 0.07 THEN 2 WHEN {r("v.id", 70)} < 0.32 THEN 1 ELSE 0 END
        ) AS j
        CROSS JOIN LATERAL (SELECT {r("v.id * 4 + j", 71)} AS u) x
        CROSS JOIN LATERAL (
            SELECT CASE WHEN v.track = '1' AND j = 1 AND {r("v.id", 73)} < 0.3
                        THEN 'jobservice_agreement' ELSE {kind_case} END AS kind,
                   CASE WHEN v.track = '1' AND j = 1 AND {r("v.id", 73)} < 0.3 THEN 1
                        ELSE 1 + floor({r("v.id * 4 + j", 74)} ^ 2 * 4)::int END AS positions
        ) y
        WHERE v.has_outcome AND v.state IN ('held', 'held_short', 'held_phone')
        """,
    )
    kinds = "ARRAY[" + ", ".join(f"'{k}'" for k in FOLLOWUP_KINDS) + "]"
    keys, values = visit_keys(cur, "bookings_followup")
    run(
        "follow-ups",
        f"""
        INSERT INTO bookings_followup (outcome_id, kind, description, owner_id, due_on, done_at,
                                       done_note, created_at{keys})
        SELECT v.id, ({kinds})[1 + floor({r("v.id * 4 + j", 80)} * {len(FOLLOWUP_KINDS)})::int],
               '', v.consultant_id, x.due_on,
               CASE WHEN x.due_on < {today_sql}
                    THEN CASE WHEN x.u < 0.6
                              THEN greatest(((x.due_on - floor({r("v.id * 4 + j", 82)} * 10)::int)
                                             + time '10:00') AT TIME ZONE '{TZ}',
                                            v.registered_at + interval '1 hour')
                              WHEN x.u < 0.85
                              THEN least(((x.due_on + 1 + floor({r("v.id * 4 + j", 82)} * 30)::int)
                                          + time '10:00') AT TIME ZONE '{TZ}',
                                         {now_sql})
                         END
                    WHEN x.u < 0.3 THEN least(v.registered_at + interval '2 days', {now_sql})
               END,
               '', v.registered_at{values}
        FROM b_v v
        CROSS JOIN LATERAL generate_series(
            1, CASE WHEN {r("v.id", 81)} < 0.08 THEN 2 WHEN {r("v.id", 81)} < 0.55 THEN 1 ELSE 0 END
        ) AS j
        CROSS JOIN LATERAL (
            SELECT (v.registered_at AT TIME ZONE '{TZ}')::date + 14 AS due_on,
                   {r("v.id * 4 + j", 83)} AS u
        ) x
        WHERE v.has_outcome AND v.state IN ('held', 'held_short', 'held_phone')
        """,
    )
    run(
        "survey invitations",
        f"""
        INSERT INTO surveys_invitation (survey_id, campaign_id, booking_id, consultant_id,
                                        jobcentre_id, email, token_hash, created_at, expires_at,
                                        opened_at, submitted_at)
        SELECT CASE v.track WHEN '1' THEN {surveys["1"]} ELSE {surveys["2"]} END, v.campaign_id,
               v.id, NULL, NULL, 'survey' || v.id || '@bench.invalid',
               md5(v.id || 'a') || md5(v.id || 'b'), x.at, x.at + interval '30 days',
               CASE WHEN x.u < 0.45 THEN least(x.at + interval '3 hours', {now_sql}) END,
               CASE WHEN x.u < (CASE v.track WHEN '1' THEN 0.20 ELSE 0.15 END)
                    THEN least(x.at + interval '3 hours 10 minutes', {now_sql}) END
        FROM b_v v
        CROSS JOIN LATERAL (
            SELECT least(v.registered_at + interval '1 day', {now_sql}) AS at, {r("v.id", 91)} AS u
        ) x
        WHERE v.has_outcome AND {r("v.id", 90)} < 0.97
        """,
    )
    cur.execute(
        """
        UPDATE campaign_participation p SET quota = ceil(x.n * 1.1)
        FROM (SELECT campaign_id, jobcentre_id, count(*) AS n FROM b_v GROUP BY 1, 2) x
        WHERE (p.campaign_id, p.jobcentre_id) = (x.campaign_id, x.jobcentre_id)
        """
    )
    for table in (
        "campaign_company",
        "campaign_calllist",
        "campaign_calllistentry",
        "bookings_booking",
        "bookings_outcome",
    ):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    for table in ("b_booking", "b_entry", "b_v", "b_group", "b_pool", "b_camp", "b_days"):
        cur.execute(f"DROP TABLE {table}")
    print(f"  ({companies:,} companies in pools)", flush=True)


COUNTED = (
    ("campaigns", "campaign_campaign"),
    ("participations", "campaign_participation"),
    ("consultants", "consultants_consultant"),
    ("companies", "campaign_company"),
    ("call lists", "campaign_calllist"),
    ("call list entries", "campaign_calllistentry"),
    ("calls", "campaign_callattempt"),
    ("phoners' hours (tallies)", "campaign_phonerhour"),
    ("phoners' script totals (tallies)", "campaign_phonerscripttotals"),
    ("phoners' hours worked (tallies)", "campaign_phonerworkedhours"),
    ("phoners' firms (tallies)", "campaign_phonerfirms"),
    ("bookings (all rows)", "bookings_booking"),
    ("attendees", "bookings_attendee"),
    ("outcomes", "bookings_outcome"),
    ("agreements", "bookings_agreement"),
    ("follow-ups", "bookings_followup"),
    ("survey invitations", "surveys_invitation"),
)


def row_counts(cur) -> list[tuple[str, int]]:
    counts = [
        (label, cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for label, table in COUNTED
    ]
    visits = cur.execute("SELECT count(*) FROM bookings_booking WHERE state <> 'moved'")
    after = [label for label, _table in COUNTED].index("bookings (all rows)") + 1
    counts.insert(after, ("  of them visits (not 'moved')", visits.fetchone()[0]))
    return counts


def seed(bench_url: str, visits: int, now: dt.datetime) -> None:
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic():
        people = seed_people(random.Random(20151101), visits, now)
    with benchdb.connect(bench_url) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET maintenance_work_mem = '512MB'")
        with conn.cursor() as cur:
            seed_sql(cur, people["plan"], people["locals"], now)
        vacuum = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - vacuum:.1f} s")
    print(f"Seeded in {time.perf_counter() - started:.1f} s.")


# --- Measuring --------------------------------------------------------------------------------


def scenarios() -> list[tuple[str, str, str, str]]:
    """(row label, filter label, user, URL) for every page and endpoint measured."""
    from django.urls import reverse

    import reports.api_urls
    import reports.urls
    from campaign.models import Campaign
    from consultants.models import RarArea

    campaign = Campaign.objects.order_by("-starts_on", "-pk").first()
    area = RarArea.objects.get(name=MEASURED_AREA)
    filters = [
        ("campaign", "agency", f"campaign={campaign.pk}"),
        ("campaign, track 1", "agency", f"campaign={campaign.pk}&track=1"),
        (f"campaign, {MEASURED_AREA}", "agency", f"campaign={campaign.pk}&rar_area={area.pk}"),
        ("coordinator (Kbh)", "coordinator", f"campaign={campaign.pk}"),
    ]
    # Every page of reports.urls and every endpoint of reports.api_urls, whatever they are
    # when the benchmark runs; the drill-down list and the funnel's groupings apart.
    pages = [
        (f"page {p.name}", reverse(f"reports:{p.name}"))
        for p in reports.urls.urlpatterns
        if p.name != "visits"
    ]
    pages += [
        (f"api {p.name.removeprefix('api-reports-')}", reverse(p.name))
        for p in reports.api_urls.urlpatterns
    ]
    pages.append(("api funnel by area", reverse("api-reports-funnel") + "?by=rar_area"))
    rows = []
    for label, path in pages:
        for filter_label, user, query in filters:
            joiner = "&" if "?" in path else "?"
            rows.append((label, filter_label, user, f"{path}{joiner}{query}"))
    c = campaign.pk
    rows += [
        ("page funnel by phoner", "campaign", "agency", f"/reports/funnel/?campaign={c}&by=phoner"),
        (
            "page visits (drill-down)",
            "campaign, overdue",
            "agency",
            f"/reports/visits/?campaign={c}&followup=overdue",
        ),
        # The evaluation report is kept (reports.evaluation_snapshots): the rows above read
        # the kept one; these compute it on every request, as the first reader waits.
        (
            "page evaluation, computed",
            "campaign",
            "agency",
            f"/reports/evaluation/?campaign={c}&recompute=1",
        ),
        (
            "api evaluation, computed",
            "campaign",
            "agency",
            f"/api/v1/reports/evaluation/?campaign={c}&recompute=1",
        ),
        ("page phoners", "campaign", "agency", f"/reports/phoners/?campaign={c}"),
        ("page phoners", "newest campaign (default)", "agency", "/reports/phoners/"),
        ("page phoners", "all campaigns", "agency", "/reports/phoners/?campaign="),
        ("api phoners", "campaign", "agency", f"/api/v1/reports/phoners/?campaign={c}"),
        ("api phoners", "all campaigns", "agency", "/api/v1/reports/phoners/"),
    ]
    return rows


def percentile95(values: list[float]) -> float:
    if len(values) < 2:
        return max(values)
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def replayable(statements: list[str]) -> list[str]:
    """The reads among a request's statements, as plain queries: a server-side cursor's
    DECLARE (QuerySet.iterator(), which ModelChoiceField uses) becomes its SELECT."""
    reads = []
    for statement in statements:
        declared = DECLARE.match(statement)
        if declared:
            statement = statement[declared.end() :]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            reads.append(statement)
    return reads


def measure(client, url: str, args, direct) -> dict:
    """Time `url` as `client` sees it; then replay the SQL of one request directly. A row
    stops after --runs requests or --budget seconds (at least 5 requests), whichever first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(args.warmups):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    times, counts, statements = [], set(), []
    deadline = time.perf_counter() + args.budget
    while len(times) < args.runs and (len(times) < 5 or time.perf_counter() < deadline):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        times.append(elapsed * 1000)
        counts.add(len(queries))
        statements = [q["sql"] for q in queries.captured_queries]
    reads = replayable(statements)
    direct_times, per_statement = [], [[] for _ in reads]
    with direct.cursor() as cur:
        for _ in range(min(args.warmups, 1)):
            for statement in reads:
                cur.execute(statement)
                cur.fetchall()
        for _ in range(len(times)):
            total = 0.0
            for i, statement in enumerate(reads):
                started = time.perf_counter()
                cur.execute(statement)
                cur.fetchall()
                ms = (time.perf_counter() - started) * 1000
                total += ms
                per_statement[i].append(ms)
            direct_times.append(total)
    medians = [statistics.median(ms) for ms in per_statement]
    top = max(range(len(reads)), key=medians.__getitem__) if reads else None
    return {
        "runs": len(times),
        "median": statistics.median(times),
        "p95": percentile95(times),
        "queries": "/".join(map(str, sorted(counts))),
        "sql": statistics.median(direct_times) if direct_times else 0.0,
        "top_sql": medians[top] if top is not None else 0.0,
        "top_statement": reads[top] if top is not None else "",
    }


def measure_all(bench_url: str, args) -> tuple[list[dict], list[str]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    users = {
        "agency": get_user_model().objects.get(username="bench-agency"),
        "coordinator": get_user_model().objects.get(username="bench-coordinator"),
    }
    clients = {}
    for role, user in users.items():
        clients[role] = Client(HTTP_HOST="localhost")
        clients[role].force_login(user)
    results, errors = [], []
    # Static files without a manifest (the benchmark runs no collectstatic), as in the tests.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages), benchdb.connect(bench_url) as direct:
        direct.execute("SET TIME ZONE 'UTC'")
        for label, filter_label, role, url in scenarios():
            try:
                row = measure(clients[role], url, args, direct)
            except Exception as error:  # noqa: BLE001 - reported, and the exit status says so
                traceback.print_exc()
                errors.append(f"{label} ({filter_label}): {error}")
                continue
            row.update(label=label, filter=filter_label, url=url)
            results.append(row)
            print(
                f"{label:26} {filter_label:22} {row['runs']:>4} {row['median']:>8.1f} "
                f"{row['p95']:>8.1f} {row['queries']:>7} {row['sql']:>8.1f} {row['top_sql']:>8.1f}",
                flush=True,
            )
    return results, errors


HEADER = (
    f"{'page / endpoint':26} {'filter':22} {'runs':>4} {'median':>8} {'p95':>8} {'queries':>7} "
    f"{'SQL':>8} {'top SQL':>8}"
)


def main() -> None:
    args = parse_args()
    server = benchdb.server_url()
    if args.reuse:
        bench_url = benchdb.database_url(server, BENCH_DB)
    else:
        bench_url = benchdb.create_database(server, BENCH_DB, replace=args.replace)
    errors: list[str] = []
    # WhiteNoise warns that there is no collectstatic output; the pages do not need it here.
    warnings.filterwarnings("ignore", message="No directory at")
    try:
        benchdb.setup_django(bench_url, REDIS_URL="")
        # The PDF's layout warnings (WeasyPrint) would drown the table.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        from django.core.management import call_command
        from django.utils import timezone

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"Database {BENCH_DB}: migrated in {time.perf_counter() - started:.1f} s.")
        if not args.reuse:
            print(f"Seeding {args.visits:,} visits:", flush=True)
            seed(bench_url, args.visits, timezone.now())
        with benchdb.connect(bench_url) as conn, conn.cursor() as cur:
            for label, count in row_counts(cur):
                print(f"  {label:32} {count:>12,}")
        print(
            f"\nEach row: {args.warmups} untimed requests, then {args.runs} timed (runs: fewer"
            f" where they took over {args.budget:.0f} s); times in ms."
            "\nmedian, p95: server time of the request (django.test.Client, in process)."
            "\nSQL: the request's SQL statements replayed with a psycopg cursor (sum, median);"
            " top SQL: its slowest statement.\n"
        )
        print(HEADER)
        print("-" * len(HEADER), flush=True)
        results, errors = measure_all(bench_url, args)
        slow = [r for r in results if r["p95"] >= 300 or r["median"] >= 300]
        if slow:
            print("\nOver 300 ms (median or p95), with the slowest statement (ms, start):")
            for r in slow:
                statement = " ".join(r["top_statement"].split())
                print(f"{r['label']} ({r['filter']}): {r['url']}")
                print(f"  {r['top_sql']:.0f} ms: {statement[:150]}")
    finally:
        benchdb.close_django()
        if args.keep or args.reuse:
            print(f"\nKept database {BENCH_DB}.")
        else:
            benchdb.drop_database(server, BENCH_DB)
    if errors:
        print("\nErrors:\n" + "\n".join(errors), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
