"""Reads for the phoners' workspace, shared by its pages and its API."""

from dataclasses import dataclass

from django.http import Http404

from campaign.models import CallList, CallListEntry, Track


@dataclass
class WorkspaceFilter:
    """Which campaign and track the phoner is calling for (remembered in the session)."""

    campaign_id: int | None = None
    track: str | None = None

    SESSION_KEY = "workspace"

    @classmethod
    def from_params(cls, params, session) -> "WorkspaceFilter":
        remembered = session.get(cls.SESSION_KEY, {})
        campaign = params.get("campaign", remembered.get("campaign"))
        track = params.get("track", remembered.get("track"))
        try:
            campaign_id = int(campaign) if campaign else None
        except ValueError:
            campaign_id = None
        return cls(campaign_id=campaign_id, track=track if track in Track.values else None)

    def remember(self, session) -> None:
        session[self.SESSION_KEY] = {"campaign": self.campaign_id, "track": self.track}


def entry_for_phoner(user, pk: int) -> CallListEntry:
    """An entry of a released call list, approved in vetting; 404 for anything else."""
    try:
        return CallListEntry.objects.select_related(
            "company__municipality", "call_list__campaign", "call_list__jobcentre"
        ).get(
            pk=pk,
            call_list__status=CallList.Status.RELEASED,
            vetting=CallListEntry.Vetting.APPROVED,
        )
    except CallListEntry.DoesNotExist:
        raise Http404 from None
