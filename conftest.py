"""Fixtures shared by every app's tests."""

import pytest
from django.contrib.auth.models import Group

from consultants.reference import reference_load
from consultants.roles import Role


@pytest.fixture
def reference(db):
    """The 8 RAR areas, 98 municipalities and their jobcentres."""
    reference_load()


@pytest.fixture
def make_user(db, django_user_model):
    """make_user("name", Role.PHONER) -> a user in that role's group."""

    def make(username: str, *roles: Role, **fields):
        user = django_user_model.objects.create_user(username=username, password="pw", **fields)
        for role in roles:
            # get_or_create: transactional tests flush the groups the migration made.
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return make
