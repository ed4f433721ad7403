"""The four kinds of user, as Django groups, and the scoping every app builds its querysets on.

- phoner: hired call-centre agent; works call lists released to phoners.
- consultant: a jobcentre consultant or Jobservice representative; sees their own jobcentre.
- coordinator: manages one jobcentre (Coordinator row); sees and changes that jobcentre.
- agency: agency staff; see everything.
"""

from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet


class Role(StrEnum):
    PHONER = "phoner"
    CONSULTANT = "consultant"
    COORDINATOR = "coordinator"
    AGENCY = "agency"


def roles_of(user) -> frozenset[str]:
    """The user's roles, read once per request object and cached on it."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_visitbook_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & set(Role)
        if user.is_superuser:
            cached = cached | {Role.AGENCY}
        user._visitbook_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def is_agency(user) -> bool:
    return has_role(user, Role.AGENCY)


def consultant_of(user):
    """The Consultant row of a user, or None."""
    if not user.is_authenticated:
        return None
    try:
        return user.consultant
    except ObjectDoesNotExist:
        return None


def jobcentre_id_of(user) -> int | None:
    """The jobcentre a coordinator manages, or a local consultant works at."""
    if not user.is_authenticated:
        return None
    if has_role(user, Role.COORDINATOR):
        try:
            return user.coordinator.jobcentre_id
        except ObjectDoesNotExist:
            pass
    consultant = consultant_of(user)
    return consultant.jobcentre_id if consultant else None


def jobcentre_q(user, field: str = "jobcentre") -> Q:
    """The user's scope as a Q: everything (agency), their jobcentre (coordinators and
    consultants), or nothing. `field` is the lookup path from the model to a Jobcentre."""
    if is_agency(user):
        return Q()
    jobcentre_id = jobcentre_id_of(user)
    if jobcentre_id is None or not has_role(user, Role.COORDINATOR, Role.CONSULTANT):
        return Q(pk__in=[])
    return Q(**{field: jobcentre_id})


def scope_by_jobcentre(user, queryset: QuerySet, field: str = "jobcentre") -> QuerySet:
    """The rows of `queryset` the user may see, by jobcentre (see jobcentre_q)."""
    return queryset.filter(jobcentre_q(user, field))


def can_manage_jobcentre(user, jobcentre_id: int) -> bool:
    """Agency staff manage every jobcentre; a coordinator manages their own."""
    if is_agency(user):
        return True
    return has_role(user, Role.COORDINATOR) and jobcentre_id_of(user) == jobcentre_id
