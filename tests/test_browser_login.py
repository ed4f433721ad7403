"""The log-in page, the language switch and log-out, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from consultants.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_consultant_logs_in_switches_to_english_and_logs_out(page, make_user):
    make_user("konsulent", Role.CONSULTANT, first_name="Bo", last_name="Strickertson")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.get_by_label("Brugernavn").fill("konsulent")
    page.get_by_label("Adgangskode").fill("pw")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen, Bo Strickertson")

    page.get_by_label("Sprog").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Bo Strickertson")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_wrong_password_shows_an_error_and_keeps_the_user_out(page, make_user):
    make_user("phoner", Role.PHONER)
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("phoner")
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/"))
