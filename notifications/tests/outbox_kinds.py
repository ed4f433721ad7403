"""A test-only message kind, registered in the test process and in the Celery workers the
tests start (`celery worker --include notifications.tests.outbox_kinds`). The row's context
steers it: {"gone": true} renders None (no longer relevant), {"delay": seconds} makes the
send slow enough to kill a worker in the middle of it, {"broken": true} raises."""

import time

from notifications.registry import Email, register

KIND = "outbox-test"


@register(KIND)
def render_test_message(message):
    if message.context.get("gone"):
        return None
    if message.context.get("delay"):
        time.sleep(message.context["delay"])
    if message.context.get("broken"):
        raise RuntimeError("the test renderer is broken")
    return Email(
        subject=f"Test {message.key}",
        text=f"Hej {message.to_name}\n\n{message.key}\n",
        html=f"<p>Hej {message.to_name}</p><p>{message.key}</p>",
        attachments=(("besøg.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),),
    )
