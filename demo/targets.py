"""What the demo must add up to: the report's Table 1 (read from demo/data/table1.csv at run
time) and the figures its text gives, scaled to the size asked for.

The report scale is simply the factor 1: every scale goes through `targets_for`, so the
generator has one code path and the report figures are what it is fed, not what it hard-codes.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from bookings.models import AgreementKind

TABLE1_CSV = Path(__file__).parent / "data" / "table1.csv"

NATIONAL_COLUMN = "Hele landet"
BOOKINGS_ROW = "Antal bookede møder i alt"
OUTCOMES_ROW = "Møder med tilbagemelding"
# Table 1's agreement rows, in its order, and the AgreementKind each counts.
AGREEMENT_ROWS: dict[str, str] = {
    "Jobordre/rekruttering": AgreementKind.JOB_ORDER,
    "Opkvalificeringsjob": AgreementKind.SKILLS_JOB,
    "Voksenlærling": AgreementKind.ADULT_APPRENTICE,
    "Jobrotation": AgreementKind.JOB_ROTATION,
    "Løntilskud": AgreementKind.WAGE_SUBSIDY,
    "Virksomhedspraktik": AgreementKind.INTERNSHIP,
    "Fagpilot": AgreementKind.FAGPILOT,
    "Fastholdelse": AgreementKind.RETENTION,
}

# Figures the report gives in its text, not in Table 1 (see DOMAIN.md).
REPORT_FIGURES: dict[str, int] = {
    "jobcentres": 73,
    "local_consultants": 273,
    "jobservice_reps": 12,
    "phoners": 12,
    "refugee_places": 210,
    "jobservice_agreements": 16,
    "integration_agreements": 9,
    "filled_job_orders": 120,
    "followups": 1509,
    "answers_track1": 54,
    "answers_track2": 551,
    "answers_track2_cancelled": 52,
    "consultant_answers": 120,
    "consultant_no_shows": 20,
}

SMALL_DIVISOR = 10
MIN_BOOKINGS = 20


@dataclass(frozen=True)
class Table1:
    """Table 1 as read: the area columns are track 2, the national column both tracks."""

    areas: tuple[str, ...]
    bookings: dict[str, int]
    outcomes: dict[str, int]
    positions: dict[str, dict[str, int]]
    national_bookings: int
    national_outcomes: int
    national_positions: dict[str, int]

    @property
    def track1_bookings(self) -> int:
        return self.national_bookings - sum(self.bookings.values())

    @property
    def track1_outcomes(self) -> int:
        return self.national_outcomes - sum(self.outcomes.values())

    @property
    def track1_positions(self) -> dict[str, int]:
        return {
            kind: total - sum(self.positions[area][kind] for area in self.areas)
            for kind, total in self.national_positions.items()
        }


def table1_read(path: Path = TABLE1_CSV) -> Table1:
    """Read Table 1; fails loudly on a missing row or a negative track-1 remainder."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        areas = tuple(c for c in reader.fieldnames or () if c not in ("row", NATIONAL_COLUMN))
        rows = {row["row"]: row for row in reader}

    def figures(name: str) -> tuple[dict[str, int], int]:
        row = rows[name]
        return {a: int(row[a]) for a in areas}, int(row[NATIONAL_COLUMN])

    bookings, national_bookings = figures(BOOKINGS_ROW)
    outcomes, national_outcomes = figures(OUTCOMES_ROW)
    positions: dict[str, dict[str, int]] = {a: {} for a in areas}
    national_positions: dict[str, int] = {}
    for name, kind in AGREEMENT_ROWS.items():
        by_area, national = figures(name)
        national_positions[kind] = national
        for area in areas:
            positions[area][kind] = by_area[area]
    table = Table1(
        areas=areas,
        bookings=bookings,
        outcomes=outcomes,
        positions=positions,
        national_bookings=national_bookings,
        national_outcomes=national_outcomes,
        national_positions=national_positions,
    )
    remainders = [table.track1_bookings, table.track1_outcomes, *table.track1_positions.values()]
    if min(remainders) < 0:
        raise ValueError(f"{path}: an area column sums to more than the national column")
    return table


def apportion(
    total: int, weights: list[float], *, minimum: int = 0, caps: list[int] | None = None
) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder), each at
    least `minimum` where its weight is positive and at most its cap. Deterministic."""
    n = len(weights)
    caps = caps if caps is not None else [total] * n
    floors = [min(minimum, cap) if w > 0 else 0 for w, cap in zip(weights, caps, strict=True)]
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * n
    ideal = [total * w / weight_sum for w in weights]
    result = [
        max(floor, min(cap, int(share)))
        for share, floor, cap in zip(ideal, floors, caps, strict=True)
    ]
    while sum(result) != total:
        if sum(result) < total:
            open_ = [i for i in range(n) if result[i] < caps[i] and weights[i] > 0]
            if not open_:
                break
            i = max(open_, key=lambda j: (ideal[j] - result[j], -j))
            result[i] += 1
        else:
            open_ = [i for i in range(n) if result[i] > floors[i]]
            if not open_:
                break
            i = min(open_, key=lambda j: (ideal[j] - result[j], j))
            result[i] -= 1
    return result


@dataclass(frozen=True)
class GroupTargets:
    """The figures of one group of bookings: a RAR area's track 2, or all of track 1."""

    bookings: int
    outcomes: int
    positions: dict[str, int]


@dataclass(frozen=True)
class Targets:
    """Everything the generator must hit, at one scale."""

    scale: float
    track2: dict[str, GroupTargets]
    track1: GroupTargets
    jobcentres: int
    local_consultants: int
    jobservice_reps: int
    phoners: int
    refugee_places: int
    jobservice_agreements: int
    integration_agreements: int
    filled_job_orders: int
    followups: int
    answers_track1: int
    answers_track2: int
    answers_track2_cancelled: int
    consultant_answers: int
    consultant_no_shows: int

    @property
    def total_bookings(self) -> int:
        return self.track1.bookings + sum(g.bookings for g in self.track2.values())


def scale_parse(value: str | int) -> int | None:
    """`report` -> None (the report's own size), `small` -> a tenth of it, an integer -> that
    many bookings (at least MIN_BOOKINGS). Raises ValueError on anything else."""
    if isinstance(value, int):
        bookings = value
    elif value == "report":
        return None
    elif value == "small":
        return round(table1_read().national_bookings / SMALL_DIVISOR)
    else:
        try:
            bookings = int(value)
        except ValueError:
            raise ValueError(f"scale must be report, small or a number, not {value!r}") from None
    if bookings < MIN_BOOKINGS:
        raise ValueError(f"scale must be at least {MIN_BOOKINGS} bookings")
    return bookings


def targets_for(bookings: int | None, table: Table1 | None = None) -> Targets:
    """The targets for about `bookings` bookings in all (None: the report's own figures)."""
    table = table or table1_read()
    total = table.national_bookings
    factor = 1.0 if bookings is None else bookings / total
    areas = table.areas
    # Bookings per group (the 8 areas' track 2, then track 1) keep their report shares.
    report_bookings = [table.bookings[a] for a in areas] + [table.track1_bookings]
    group_bookings = apportion(round(total * factor), [float(b) for b in report_bookings])
    report_outcomes = [table.outcomes[a] for a in areas] + [table.track1_outcomes]
    report_positions = [table.positions[a] for a in areas] + [table.track1_positions]
    groups = [
        GroupTargets(
            bookings=b,
            outcomes=min(b, round(o * factor)),
            positions={kind: round(p * factor) for kind, p in positions.items()},
        )
        for b, o, positions in zip(group_bookings, report_outcomes, report_positions, strict=True)
    ]

    def scaled(key: str, minimum: int = 0) -> int:
        return max(minimum, round(REPORT_FIGURES[key] * factor))

    areas_booked = sum(1 for g in groups[:-1] if g.bookings > 0)
    jobcentres = scaled("jobcentres", areas_booked)
    return Targets(
        scale=factor,
        track2=dict(zip(areas, groups[:-1], strict=True)),
        track1=groups[-1],
        jobcentres=jobcentres,
        local_consultants=scaled("local_consultants", jobcentres),
        jobservice_reps=scaled("jobservice_reps", 2),
        phoners=scaled("phoners", 2),
        refugee_places=scaled("refugee_places"),
        jobservice_agreements=scaled("jobservice_agreements"),
        integration_agreements=scaled("integration_agreements"),
        filled_job_orders=scaled("filled_job_orders"),
        followups=scaled("followups"),
        answers_track1=scaled("answers_track1"),
        answers_track2=scaled("answers_track2"),
        answers_track2_cancelled=scaled("answers_track2_cancelled"),
        consultant_answers=scaled("consultant_answers"),
        consultant_no_shows=scaled("consultant_no_shows"),
    )
