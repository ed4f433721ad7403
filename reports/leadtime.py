"""Cancellation by lead time, the report's key finding watched live: visits booked far ahead
were cancelled far more often.

Lead time: the days from the day the visit was booked (Booking.booked_at; for a moved visit,
the day it was moved) to the day it starts, both in local time. Weekly bins: 0-6, 7-13, ...,
35-41 and 42 or more (a lead time below 0 cannot happen, and would count in the first bin).
Per bin: the visits and how many of them are cancelled now (by the company or the jobcentre).
One query whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, ExpressionWrapper, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Greatest, Least, TruncDate

from bookings.models import Booking, BookingState
from bookings.slots import LOCAL_TZ
from reports.filters import ReportFilter

CANCELLED = (BookingState.CANCELLED_COMPANY, BookingState.CANCELLED_JOBCENTRE)
BIN_DAYS = 7
LAST_BIN = 42  # 42 days or more: the campaign's default booking horizon
BINS: tuple[int, ...] = tuple(range(0, LAST_BIN + 1, BIN_DAYS))  # 0, 7, ..., 42


def bin_label(start: int) -> str:
    return f"{start}+" if start >= LAST_BIN else f"{start}-{start + BIN_DAYS - 1}"


class DaysBetween(Func):
    """Whole days from the second date expression to the first (end - start)."""

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):
        # PostgreSQL: date - date is an integer number of days.
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        return f"({end_sql} - {start_sql})", (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra):
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        sql = f"CAST(ROUND(julianday({end_sql}) - julianday({start_sql})) AS INTEGER)"
        return sql, (*end_params, *start_params)


def with_lead_bin(visits: QuerySet[Booking]) -> QuerySet[Booking]:
    """The visits with lead_bin: the first day of their lead time's bin (0, 7, ..., 42),
    computed once per row as min(max(days, 0) // 7, 6) * 7."""
    days = DaysBetween(
        TruncDate("starts_at", tzinfo=LOCAL_TZ), TruncDate("booked_at", tzinfo=LOCAL_TZ)
    )
    week = Greatest(days, Value(0)) / Value(BIN_DAYS)
    return visits.annotate(
        lead_bin=ExpressionWrapper(
            Least(week, Value(LAST_BIN // BIN_DAYS)) * Value(BIN_DAYS),
            output_field=IntegerField(),
        )
    )


@dataclass
class LeadTimeBin:
    start: int  # first day of the bin
    visits: int = 0
    cancelled: int = 0

    @property
    def label(self) -> str:
        return bin_label(self.start)

    @property
    def end(self) -> int | None:
        """The bin's last day; None for the open last bin."""
        return None if self.start >= LAST_BIN else self.start + BIN_DAYS - 1

    @property
    def cancelled_share(self) -> float | None:
        return self.cancelled / self.visits if self.visits else None

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "visits": self.visits,
            "cancelled": self.cancelled,
            "cancelled_share": self.cancelled_share,
        }


@dataclass
class LeadTime:
    bins: list[LeadTimeBin]
    total: LeadTimeBin


def lead_time(filters: ReportFilter) -> LeadTime:
    """Visits and cancellations per weekly lead-time bin, every bin listed. One query."""
    rows = (
        with_lead_bin(filters.visits())
        .values("lead_bin")
        .annotate(visits=Count("pk"), cancelled=Count("pk", filter=Q(state__in=CANCELLED)))
        .order_by()
    )
    bins = {start: LeadTimeBin(start=start) for start in BINS}
    for row in rows:
        bins[row["lead_bin"]].visits = row["visits"]
        bins[row["lead_bin"]].cancelled = row["cancelled"]
    total = LeadTimeBin(start=0)
    total.visits = sum(b.visits for b in bins.values())
    total.cancelled = sum(b.cancelled for b in bins.values())
    return LeadTime(bins=list(bins.values()), total=total)
