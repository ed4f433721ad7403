import django_filters
from django.apps import apps
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from campaign.models import CallList, CallListEntry, Campaign, Company, Participation
from consultants.models import Municipality
from consultants.roles import Role, has_role, is_agency, jobcentre_q


def newest_campaign() -> Campaign | None:
    """The campaign the reports open on until the reader chooses another."""
    return Campaign.objects.order_by("-starts_on", "-pk").first()


def companies_for(user) -> QuerySet[Company]:
    """Agency staff and phoners see every company; jobcentre staff the companies in their
    jobcentre's municipalities."""
    queryset = Company.objects.select_related("municipality")
    if is_agency(user) or has_role(user, Role.PHONER):
        return queryset
    return queryset.filter(jobcentre_q(user, "municipality__jobcentre"))


def call_lists_for(user) -> QuerySet[CallList]:
    """Phoners see released lists only; jobcentre staff their jobcentre's; agency all."""
    queryset = CallList.objects.select_related("campaign", "jobcentre")
    if is_agency(user):
        return queryset
    if has_role(user, Role.PHONER):
        return queryset.filter(status=CallList.Status.RELEASED)
    return queryset.filter(jobcentre_q(user))


# --- Vetting: participations, call lists with their progress, entries ------------------------

# Booking states that no longer hold a place in a jobcentre's quota (bookings.slots keeps the
# same list). Spelled out because campaign may not import bookings.
_QUOTA_FREE_STATES = ("cancelled_company", "cancelled_jobcentre", "moved")


def _quota_bookings() -> QuerySet:
    """The visits that hold a place in a quota.

    campaign sits below bookings in the dependency order (bookings imports campaign), so it
    may not import bookings.models. The Booking model is looked up by its app label in the
    app registry instead, when the query is built: no import of bookings, and the count still
    runs in the database."""
    booking_model = apps.get_model("bookings", "Booking")
    return booking_model.objects.exclude(state__in=_QUOTA_FREE_STATES)


def quota_used(*, campaign_id: int, jobcentre_id: int) -> int:
    """The visits booked for a jobcentre in a campaign that hold a place in its quota."""
    return _quota_bookings().filter(campaign_id=campaign_id, jobcentre_id=jobcentre_id).count()


def _booked_visits() -> Coalesce:
    """Per Participation row, its quota_used as a correlated COUNT subquery."""
    booked = (
        _quota_bookings()
        .filter(campaign_id=OuterRef("campaign_id"), jobcentre_id=OuterRef("jobcentre_id"))
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(booked, output_field=IntegerField()), 0)


def participations_for(user) -> QuerySet[Participation]:
    """The campaigns each jobcentre is invited to: agency staff see every jobcentre's, jobcentre
    staff their own. Annotated with `booked`, the visits holding a place in the quota."""
    return (
        Participation.objects.select_related("campaign", "jobcentre", "accepted_by")
        .filter(jobcentre_q(user))
        .annotate(booked=_booked_visits())
        .order_by("campaign__name", "jobcentre__name")
    )


def with_progress(queryset: QuerySet[CallList]) -> QuerySet[CallList]:
    """Call lists annotated with how many firms are not vetted, approved, excluded."""
    vetting = CallListEntry.Vetting
    return queryset.annotate(
        total_count=Count("entries"),
        pending_count=Count("entries", filter=Q(entries__vetting=vetting.PENDING)),
        approved_count=Count("entries", filter=Q(entries__vetting=vetting.APPROVED)),
        excluded_count=Count("entries", filter=Q(entries__vetting=vetting.EXCLUDED)),
    )


def call_lists_with_progress(user) -> QuerySet[CallList]:
    """The user's call lists (call_lists_for) with their vetting progress."""
    return with_progress(call_lists_for(user)).order_by(
        "campaign__name", "jobcentre__name", "track"
    )


def vetting_progress(call_list: CallList) -> dict[str, int]:
    """How many firms on one list are not vetted, approved, excluded, in all (one query)."""
    vetting = CallListEntry.Vetting
    return CallListEntry.objects.filter(call_list=call_list).aggregate(
        pending=Count("pk", filter=Q(vetting=vetting.PENDING)),
        approved=Count("pk", filter=Q(vetting=vetting.APPROVED)),
        excluded=Count("pk", filter=Q(vetting=vetting.EXCLUDED)),
        total=Count("pk"),
    )


def call_list_entries_for(user) -> QuerySet[CallListEntry]:
    """The firms on the user's call lists (call_lists_for). Phoners see only approved firms:
    an excluded or unvetted firm never reaches them."""
    queryset = CallListEntry.objects.filter(call_list__in=call_lists_for(user))
    if not is_agency(user) and has_role(user, Role.PHONER):
        queryset = queryset.filter(vetting=CallListEntry.Vetting.APPROVED)
    return queryset.select_related("company__municipality", "vetted_by")


class CallListEntryFilter(django_filters.FilterSet):
    """The filters of a call list's firms, shared by the vetting page and the API."""

    vetting = django_filters.ChoiceFilter(label=_("Vetting"), choices=CallListEntry.Vetting.choices)
    exclusion_reason = django_filters.ChoiceFilter(
        label=_("Reason for exclusion"),
        choices=CallListEntry.ExclusionReason.choices,
        empty_label=_("All"),
    )
    employees_min = django_filters.NumberFilter(
        label=_("Employees, at least"), field_name="company__employees", lookup_expr="gte"
    )
    employees_max = django_filters.NumberFilter(
        label=_("Employees, at most"), field_name="company__employees", lookup_expr="lte"
    )
    sites_min = django_filters.NumberFilter(
        label=_("Sites, at least"), field_name="company__sites", lookup_expr="gte"
    )
    sites_max = django_filters.NumberFilter(
        label=_("Sites, at most"), field_name="company__sites", lookup_expr="lte"
    )
    postcode = django_filters.CharFilter(
        label=_("Postcode"),
        field_name="company__postcode",
        lookup_expr="startswith",
        help_text=_("The start of the postcode: 80 finds 8000-8099."),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        field_name="company__municipality",
        queryset=Municipality.objects.all(),
        empty_label=_("All"),
    )
    q = django_filters.CharFilter(
        label=_("Name or CVR number"),
        method="filter_search",
        help_text=_("Part of the name, or the start of the CVR number."),
    )

    class Meta:
        model = CallListEntry
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(company__name__icontains=value) | Q(company__cvr__startswith=value)
        )
