"""Pages for importing companies: upload, preview with progress, confirm or discard.
Agency staff only; the work is done by campaign.imports."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from campaign.import_files import MAX_FILE_BYTES
from campaign.imports import (
    RUNNING,
    import_batch_commit,
    import_batch_create,
    import_batch_discard,
    import_batch_preview,
    import_batches_for,
)
from campaign.models import Campaign, ImportBatch, Track
from common.errors import ApplicationError
from consultants.permissions import role_required
from consultants.roles import Role

# A page shows at most this many rows per table; the counts cover the whole file.
PREVIEW_ROWS_SHOWN = 1000


class ImportUploadForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.all(), label=_("Campaign"))
    track = forms.ChoiceField(choices=Track.choices, label=_("Track"))
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8, separated by ; or ,) or Excel (.xlsx). The first row names the "
            "columns: cvr, navn, ansatte, kommunekode, and optionally adresse, postnr, by, "
            "telefon, email, kontaktperson, kontaktrolle, antal_adresser, senest_samarbejde."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s.") % {"size": filesizeformat(MAX_FILE_BYTES)}
            )
        return upload


@role_required(Role.AGENCY)
def upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = import_batch_create(
                actor=request.user,
                campaign=data["campaign"],
                track=data["track"],
                filename=data["file"].name,
                content=data["file"].read(),
            )
        except ApplicationError as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect("import-detail", pk=batch.pk)
    batches = import_batches_for(request.user).defer("content", "rows")[:20]
    return render(request, "campaign/import_upload.html", {"form": form, "batches": batches})


@role_required(Role.AGENCY)
def detail(request, pk: int):
    batch = get_object_or_404(import_batches_for(request.user).defer("content"), pk=pk)
    preview = import_batch_preview(batch=batch, limit=PREVIEW_ROWS_SHOWN)
    context = {"batch": batch, "preview": preview, "shown": PREVIEW_ROWS_SHOWN}
    return render(request, "campaign/import_detail.html", context)


@role_required(Role.AGENCY)
def progress(request, pk: int):
    """The progress fragment the detail page polls; once the work is done, htmx reloads the
    page to show the preview or the result."""
    batch = get_object_or_404(import_batches_for(request.user).defer("content", "rows"), pk=pk)
    if batch.status not in RUNNING:
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect("import-detail", pk=batch.pk)
    return render(request, "campaign/import_detail.html#progress", {"batch": batch})


@require_POST
@role_required(Role.AGENCY)
def commit(request, pk: int):
    batch = get_object_or_404(import_batches_for(request.user).defer("content"), pk=pk)
    try:
        batch = import_batch_commit(actor=request.user, batch=batch)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if batch.status == ImportBatch.Status.DONE:
            added = sum(1 for row in batch.rows if row.get("result"))
            messages.success(
                request,
                ngettext(
                    "%(count)d company was put on the call lists.",
                    "%(count)d companies were put on the call lists.",
                    added,
                )
                % {"count": added},
            )
        else:
            messages.info(request, _("The companies are being imported. This page shows when."))
    return redirect("import-detail", pk=pk)


@require_POST
@role_required(Role.AGENCY)
def discard(request, pk: int):
    batch = get_object_or_404(import_batches_for(request.user).defer("content", "rows"), pk=pk)
    try:
        import_batch_discard(actor=request.user, batch=batch)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("import-detail", pk=pk)
    messages.info(request, _("The import of %(file)s was discarded.") % {"file": batch.filename})
    return redirect("import-upload")
