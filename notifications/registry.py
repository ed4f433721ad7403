"""What each kind of message says. The apps that cause messages register a renderer per
kind (in their AppConfig.ready), so this app imports none of them: the dependency points
from them to here.

A renderer takes the outbox row and returns the e-mail, or None when the message is no
longer relevant at send time (the visit was acknowledged, the follow-up done...): the
dispatcher then marks the row cancelled instead of sending it. Kinds without a renderer of
their own are rendered from their templates with the row's context.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import Message


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    attachments: tuple[tuple[str, bytes, str], ...] = ()  # (filename, content, mimetype)
    headers: tuple[tuple[str, str], ...] = ()  # extra headers, e.g. List-Unsubscribe


Renderer = Callable[[Message], Email | None]
_renderers: dict[str, Renderer] = {}


def register(kind: str) -> Callable[[Renderer], Renderer]:
    """Decorator: `@register("company-confirmation")` over a renderer function."""

    def decorator(renderer: Renderer) -> Renderer:
        _renderers[kind] = renderer
        return renderer

    return decorator


def render(message: Message) -> Email | None:
    """The e-mail for an outbox row, in the recipient's language."""
    with translation.override(message.language):
        renderer = _renderers.get(message.kind)
        if renderer is not None:
            return renderer(message)
        return render_templates(message)


def render_templates(
    message: Message, context: dict | None = None, attachments=(), headers=()
) -> Email:
    """Render notifications/email/<kind>.subject.txt, .txt and .html with the row's context
    (plus `context`), in the active language."""
    data = {"message": message, **message.context, **(context or {})}
    base = f"notifications/email/{message.kind}"
    subject = render_to_string(f"{base}.subject.txt", data).strip()
    return Email(
        subject=" ".join(subject.split()),
        text=render_to_string(f"{base}.txt", data),
        html=render_to_string(f"{base}.html", data),
        attachments=tuple(attachments),
        headers=tuple(headers),
    )
