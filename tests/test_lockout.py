"""Repeated failed log-ins lock the account out for a while (django-axes)."""

from django.urls import reverse

from consultants.roles import Role


def test_it_locks_out_after_repeated_failures(client, make_user, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    make_user("phoner1", Role.PHONER)
    for _ in range(3):
        client.post(reverse("login"), {"username": "phoner1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "phoner1", "password": "pw"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
