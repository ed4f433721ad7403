"""Log-in, log-out, the language switch, the health check and what needs a log-in."""

import pytest
from django.urls import reverse

from consultants.roles import Role


def test_the_login_page_answers_without_a_login(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_pages_need_a_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_logs_in_and_out(client, make_user):
    make_user("phoner1", Role.PHONER)
    response = client.post(reverse("login"), {"username": "phoner1", "password": "pw"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, make_user):
    make_user("phoner1", Role.PHONER)
    response = client.post(reverse("login"), {"username": "phoner1", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_danish_is_the_default_language(client, make_user):
    client.force_login(make_user("c1", Role.CONSULTANT))
    response = client.get(reverse("home"))
    assert response.headers["Content-Language"] == "da"
    assert b'<html lang="da">' in response.content


def test_the_language_switch_works_before_and_after_login(client, make_user):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    response = client.get(reverse("login"))
    assert response.headers["Content-Language"] == "en"
    assert b"Log in" in response.content
    client.force_login(make_user("c1", Role.CONSULTANT))
    assert client.get(reverse("home")).headers["Content-Language"] == "en"


def test_the_health_check_reports_database_and_redis(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}


def test_the_health_check_fails_when_redis_does_not_answer(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


def test_the_api_refuses_anonymous_users(client, db):
    response = client.get("/api/v1/bookings/")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("role", list(Role))
def test_the_api_answers_every_role(client, make_user, role):
    client.force_login(make_user("u", role))
    assert client.get("/api/v1/bookings/").status_code == 200


def test_the_admin_is_for_agency_staff_only(client, make_user):
    client.force_login(make_user("p", Role.PHONER))
    assert client.get("/admin/").status_code == 302


def test_the_api_schema_and_docs_are_served_without_a_cdn(client, make_user):
    client.force_login(make_user("a", Role.AGENCY))
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "/static/vendor/swagger-ui/" in docs
    assert "cdn" not in docs.lower()
