"""What the bookings app tells apps above it, which import bookings (never the other way).

`outcome_registered` is sent inside outcome_register's transaction, after the outcome and its
agreements and follow-ups are saved, with `outcome` and `now`. A receiver's writes commit or
roll back with the outcome; a receiver that raises undoes the registration."""

from django.dispatch import Signal

outcome_registered = Signal()
