"""The scoping helpers every app builds on. Users (access in brackets):
agency (everything), coordinator of København (København), consultant of Aarhus (Aarhus),
phoner (no jobcentre), nobody (no role: nothing)."""

import pytest

from consultants.models import Coordinator, Jobcentre, Municipality
from consultants.roles import (
    Role,
    can_manage_jobcentre,
    has_role,
    is_agency,
    jobcentre_id_of,
    roles_of,
    scope_by_jobcentre,
)
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.usefixtures("reference")


@pytest.fixture
def jobcentres():
    return {
        "kbh": Jobcentre.objects.get(name="Jobcenter København"),
        "aarhus": Jobcentre.objects.get(name="Jobcenter Aarhus"),
    }


@pytest.fixture
def users(make_user, jobcentres):
    coordinator = make_user("coordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=coordinator, jobcentre=jobcentres["kbh"])
    consultant = make_user("consultant", Role.CONSULTANT)
    ConsultantFactory(user=consultant, jobcentre=jobcentres["aarhus"])
    return {
        "agency": make_user("agency", Role.AGENCY),
        "coordinator": coordinator,
        "consultant": consultant,
        "phoner": make_user("phoner", Role.PHONER),
        "nobody": make_user("nobody"),
    }


def test_roles_come_from_groups(users):
    assert roles_of(users["phoner"]) == {Role.PHONER}
    assert has_role(users["coordinator"], Role.COORDINATOR)
    assert not has_role(users["coordinator"], Role.AGENCY)
    assert roles_of(users["nobody"]) == frozenset()


def test_a_superuser_is_agency_staff(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw")
    assert is_agency(root)


def test_an_anonymous_user_has_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert roles_of(AnonymousUser()) == frozenset()
    assert jobcentre_id_of(AnonymousUser()) is None


def test_each_user_sees_their_jobcentres_rows(users, jobcentres):
    municipalities = Municipality.objects.all()
    visible = {
        name: set(scope_by_jobcentre(user, municipalities).values_list("jobcentre", flat=True))
        for name, user in users.items()
    }
    assert len(visible["agency"]) == 98
    assert visible["coordinator"] == {jobcentres["kbh"].id}
    assert visible["consultant"] == {jobcentres["aarhus"].id}
    assert visible["phoner"] == set()
    assert visible["nobody"] == set()


def test_scoping_follows_a_lookup_path(users, jobcentres):
    from tests.factories import CompanyFactory

    CompanyFactory(municipality=Municipality.objects.get(code=101))
    CompanyFactory(municipality=Municipality.objects.get(code=751))  # Aarhus
    from campaign.models import Company

    scoped = scope_by_jobcentre(users["consultant"], Company.objects, "municipality__jobcentre")
    assert [c.municipality.code for c in scoped] == [751]


def test_only_agency_and_the_jobcentres_coordinator_manage_it(users, jobcentres):
    kbh = jobcentres["kbh"].id
    assert can_manage_jobcentre(users["agency"], kbh)
    assert can_manage_jobcentre(users["coordinator"], kbh)
    assert not can_manage_jobcentre(users["coordinator"], jobcentres["aarhus"].id)
    assert not can_manage_jobcentre(users["consultant"], jobcentres["aarhus"].id)
    assert not can_manage_jobcentre(users["phoner"], kbh)
