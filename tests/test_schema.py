"""The OpenAPI schema builds, validates, and documents every endpoint without warnings."""

from django.core.management import call_command


def test_the_openapi_schema_is_valid_without_warnings(tmp_path, db):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    for path in (
        "/api/v1/bookings/",
        "/api/v1/workspace/next/",
        "/api/v1/workspace/entries/{id}/book/",
        "/api/v1/imports/",
        "/api/v1/vetting/call-lists/",
        "/api/v1/self-service/{token}/",
        "/api/v1/reports/phoners/",
    ):
        assert f"{path}:" in schema, path
