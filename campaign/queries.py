from django.db.models import QuerySet

from campaign.models import CallList, Company
from consultants.roles import Role, has_role, is_agency, jobcentre_q


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
