"""No double booking, ever: on PostgreSQL an exclusion constraint forbids two active attendee
rows of one consultant whose [starts_at, blocked_until) ranges overlap. blocked_until already
holds the travel buffer. SQLite (the demo) has no exclusion constraints; there IMMEDIATE
transactions serialise writers and the booking service re-checks under them."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_attendee ADD CONSTRAINT bookings_attendee_no_overlap
    EXCLUDE USING gist (
        consultant_id WITH =,
        tstzrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (is_active);
"""
DROP = "ALTER TABLE bookings_attendee DROP CONSTRAINT IF EXISTS bookings_attendee_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
