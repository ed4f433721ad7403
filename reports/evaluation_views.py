"""The printable evaluation report: /reports/evaluation/ (the page, laid out like the agency's
2015-16 evaluation, with a Print button and a print stylesheet) and /reports/evaluation.pdf
(the same report rendered on the server by WeasyPrint, without JavaScript: charts as tables
and CSS bars). Agency staff and coordinators (their own jobcentre), with the dashboards'
filter (reports.views.report_page); the figures come from reports.evaluation.

WeasyPrint is imported on first use. Where it cannot be (a system library such as Pango is
missing), the page hides the PDF link and the PDF answers 503 saying so.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reports.evaluation import evaluation
from reports.evaluation_presenters import report_context
from reports.evaluation_snapshots import evaluation_snapshot
from reports.filters import ReportFilter, ReportFilterForm
from reports.views import report_page, report_pages, show_campaign

logger = logging.getLogger(__name__)


# --- WeasyPrint ------------------------------------------------------------------------------


@functools.cache
def _weasyprint():
    """The weasyprint module, or None when it cannot be imported here."""
    try:
        import weasyprint
    except (ImportError, OSError):  # OSError: a system library (Pango, ...) is missing
        logger.warning("WeasyPrint cannot be imported: the evaluation PDF is off", exc_info=True)
        return None
    return weasyprint


def pdf_available() -> bool:
    return _weasyprint() is not None


def static_file(url: str) -> tuple[bytes, str]:
    """The bytes and media type of a static file named by its URL, read through the
    staticfiles finders (or, for a collected and hashed name, the static files storage):
    never an HTTP request, least of all to this server. Anything else is refused."""
    prefix = urlsplit(static("")).path
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.path.startswith(prefix):
        raise ValueError(f"Not a static file: {url}")
    name = parts.path.removeprefix(prefix)
    try:
        found = finders.find(name)
        if found:
            body = Path(found).read_bytes()
        elif staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as file:
                body = file.read()
        else:
            raise ValueError(f"No such static file: {url}")
    except SuspiciousFileOperation as error:
        raise ValueError(f"Not a static file: {url}") from error
    return body, mimetypes.guess_type(name)[0] or "application/octet-stream"


def static_fetcher(weasyprint):
    """A WeasyPrint URL fetcher serving static files only (static_file)."""
    urls = weasyprint.urls
    if hasattr(urls, "URLFetcher"):  # WeasyPrint 66 and later: a URLFetcher subclass

        class StaticFetcher(urls.URLFetcher):
            def fetch(self, url, headers=None):
                body, media_type = static_file(url)
                return urls.URLFetcherResponse(url, body, {"Content-Type": media_type})

        return StaticFetcher()

    def fetch(url):  # earlier versions: a function returning a dict
        body, media_type = static_file(url)
        return {"string": body, "mime_type": media_type, "redirected_url": url}

    return fetch


# --- The views -------------------------------------------------------------------------------


@report_page
def evaluation_page(
    request: HttpRequest, filters: ReportFilter, form: ReportFilterForm
) -> HttpResponse:
    snapshot = evaluation_snapshot(
        filters, user=request.user, recompute=request.GET.get("recompute") == "1"
    )
    show_campaign(form, filters)
    querystring = filters.querystring()
    context = {
        "campaign": filters.campaign,
        "snapshot": snapshot,
        "recompute_url": f"{reverse('reports:evaluation')}?{filters.querystring(recompute=1)}",
        "form": form,
        "filter_querystring": querystring,
        "pages": report_pages(querystring),
        "index_url": f"{reverse('reports:index')}?{querystring}",
        "is_evaluation": True,
        "pdf_url": f"{reverse('reports:evaluation-pdf')}?{querystring}" if pdf_available() else "",
    }
    return render(request, "reports/evaluation.html", context)


@report_page
def evaluation_pdf(
    request: HttpRequest, filters: ReportFilter, form: ReportFilterForm
) -> HttpResponse:
    weasyprint = _weasyprint()
    if weasyprint is None:
        return HttpResponse(
            _(
                "The PDF cannot be made on this server: WeasyPrint, or a system library it "
                "needs (such as Pango), is missing. Print the report page instead."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    ev = evaluation(filters, user=request.user)
    html = render_to_string(
        "reports/evaluation_pdf.html", report_context(ev, filters, pdf=True), request=request
    )
    document = weasyprint.HTML(
        string=html,
        base_url=request.build_absolute_uri("/"),
        url_fetcher=static_fetcher(weasyprint),
    )
    name = slugify(ev.campaign.name) if ev.campaign else "campaign"
    response = HttpResponse(document.write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"evaluation-{name or 'campaign'}.pdf"
    )
    return response
