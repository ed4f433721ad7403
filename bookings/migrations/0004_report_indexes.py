"""Indexes for the agency's dashboards (reports/): a campaign's visits by period, by state in
time order (the lists behind a figure), and per jobcentre and state."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_bookinglink"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["campaign", "starts_at"], name="bookings_bo_campaig_5baae9_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["campaign", "state", "starts_at"], name="bookings_bo_campaig_65d65d_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["campaign", "jobcentre", "state"], name="bookings_bo_campaig_852c18_idx"
            ),
        ),
    ]
