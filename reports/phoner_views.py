"""The phoner statistics page for agency staff: /reports/phoners/."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from campaign.models import Campaign, Track
from campaign.queries import newest_campaign
from consultants.permissions import role_required
from consultants.roles import Role
from reports.phoners import phoner_stats


class PhonerFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.all(),
        required=False,
        empty_label=_("All campaigns"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    track = forms.ChoiceField(
        label=_("Track"),
        choices=[("", _("Both tracks")), *Track.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


@role_required(Role.AGENCY)
@require_GET
def phoner_report(request):
    params = request.GET.copy()
    if "campaign" not in params:
        # As on the dashboards, the newest campaign until the reader chooses another (or all
        # of them: an empty choice).
        newest = newest_campaign()
        params["campaign"] = str(newest.pk) if newest else ""
    form = PhonerFilterForm(params)
    campaign = track = None
    if form.is_valid():
        campaign = form.cleaned_data["campaign"]
        track = form.cleaned_data["track"] or None
    report = phoner_stats(campaign=campaign, track=track) if not form.errors else None
    return render(
        request,
        "reports/phoners.html",
        {"form": form, "report": report, "campaign": campaign, "track": track},
        status=400 if form.errors else 200,
    )
