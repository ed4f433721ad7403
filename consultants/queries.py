from django.db.models import Q, QuerySet

from consultants.models import Consultant
from consultants.roles import Role, has_role, is_agency, jobcentre_q


def consultants_for(user) -> QuerySet[Consultant]:
    """Consultants the user may see: all (agency, phoners who book into their calendars),
    or their own jobcentre's plus the Jobservice representatives who join its visits."""
    queryset = Consultant.objects.select_related("jobcentre")
    if is_agency(user) or has_role(user, Role.PHONER):
        return queryset
    return queryset.filter(jobcentre_q(user) | Q(kind=Consultant.Kind.JOBSERVICE)).distinct()
