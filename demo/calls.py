"""Before the visits: the call scripts, each participating jobcentre's vetted call lists, the
firms on them (booked ones and about as many again that were called but not booked) and the
phoners' calls, ending in the call that booked each visit."""

import random
from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser

from campaign.calls import call_tallies_rebuild
from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    CallScript,
    Campaign,
    Company,
    Track,
)
from demo.companies import CompanyMaker
from demo.plan import Site, Visit
from demo.schedule import (
    CALLS_START,
    CAMPAIGN_ENDS,
    SCRIPT_V2_FROM,
    VETTING_DEADLINE,
    at,
    at_working_time,
    working_days,
)

SCRIPTS = {
    (Track.JOBSERVICE, 1): (
        "Goddag, mit navn er {phoner}, jeg ringer på vegne af Jobservice Danmark og "
        "beskæftigelsesministeren, som har skrevet til jer. Vi tilbyder et møde med en "
        "repræsentant fra Jobservice Danmark og jeres lokale jobcenter om rekruttering, "
        "opkvalificering og fastholdelse på tværs af jeres afdelinger. Hvornår passer det?"
    ),
    (Track.JOBSERVICE, 2): (
        "Goddag, mit navn er {phoner} fra Jobservice Danmark. Har du to minutter? Vi hjælper "
        "store virksomheder med én indgang til jobcentrene i hele landet. Er det relevant for "
        "jer, så kan vi aftale et kort møde; ellers tak for din tid."
    ),
    (Track.JOBCENTRE, 1): (
        "Goddag, mit navn er {phoner}, jeg ringer på vegne af jobcentret i jeres kommune. "
        "Jobcentret vil gerne besøge jer og fortælle om hjælp til rekruttering, "
        "virksomhedspraktik, løntilskud og voksenlærlinge. Mødet tager en time. "
        "Hvornår kan konsulenten komme forbi?"
    ),
    (Track.JOBCENTRE, 2): (
        "Goddag, mit navn er {phoner}, jeg ringer på vegne af jobcentret. Har I brug for "
        "medarbejdere, eller vil I høre om jobcentrets tilbud, kan en konsulent komme forbi "
        "til et uforpligtende møde på en time. Passer det ikke nu, så siger du bare til."
    ),
}
NOT_BOOKED_FINAL = (
    (CallAttempt.Outcome.NOT_INTERESTED, 50),
    (CallAttempt.Outcome.NO_ANSWER, 16),
    (CallAttempt.Outcome.CALL_BACK, 10),
    (CallAttempt.Outcome.DO_NOT_CONTACT, 8),
    (CallAttempt.Outcome.WRONG_NUMBER, 6),
    (CallAttempt.Outcome.BUSY, 10),
)
NOTES = {
    CallAttempt.Outcome.NOT_INTERESTED: (
        "Har ikke brug for medarbejdere lige nu",
        "Bruger vikarbureau",
        "Samarbejder allerede med jobcentret",
        "Travlt i sæsonen, ikke interesseret",
        "",
    ),
    CallAttempt.Outcome.CALL_BACK: ("Ring igen efter kl. 13", "Direktøren er på ferie", ""),
    CallAttempt.Outcome.DO_NOT_CONTACT: ("Ønsker ikke at blive ringet op igen",),
    CallAttempt.Outcome.WRONG_NUMBER: ("Nummeret tilhører en privatperson",),
}
EXCLUSIONS = (
    (CallListEntry.ExclusionReason.CUSTOMER, "Fast samarbejdspartner, kontaktes af os selv"),
    (CallListEntry.ExclusionReason.TIMING, "Midt i en afskedigelsesrunde"),
    (CallListEntry.ExclusionReason.OTHER, "Blev ringet op i en anden kampagne i efteråret"),
)
EXCLUDED_SHARE = 0.06
CALL_DAYS = working_days(CALLS_START, CAMPAIGN_ENDS)


class ListRow(NamedTuple):
    """A firm on a call list: booked (visit), called without a booking (the last call's
    outcome) or excluded in vetting (reason and note)."""

    call_list: CallList
    company: Company
    visit: Visit | None = None
    outcome: str | None = None
    exclusion: tuple[str, str] | None = None


def scripts_create(campaign: Campaign) -> dict[tuple[str, int], CallScript]:
    """Two versions of the phoners' script per track; version 2 is the softer one."""
    scripts = CallScript.objects.bulk_create(
        CallScript(campaign=campaign, track=track, version=version, body=body)
        for (track, version), body in SCRIPTS.items()
    )
    for script in scripts:
        # created_at is auto_now_add; set the historical date the script was written.
        if script.version == 1:
            created = at(VETTING_DEADLINE - timedelta(days=10), 9 * 60)
        else:
            created = at(SCRIPT_V2_FROM - timedelta(days=3), 14 * 60)
        CallScript.objects.filter(pk=script.pk).update(created_at=created)
    return {(s.track, s.version): s for s in scripts}


class CallMaker:
    """Unsaved CallAttempt rows on calling days, with the script version in use that day."""

    def __init__(
        self,
        rng: random.Random,
        scripts: dict[tuple[str, int], CallScript],
        phoners: list[AbstractBaseUser],
    ) -> None:
        self.rng, self.scripts, self.phoners = rng, scripts, phoners

    def call(
        self, entry: CallListEntry, track: str, when: datetime, outcome: str, phoner=None
    ) -> CallAttempt:
        rng = self.rng
        version = 2 if when.date() >= SCRIPT_V2_FROM else 1
        callback_at = None
        if outcome == CallAttempt.Outcome.CALL_BACK:
            callback_at = at_working_time(rng, when.date() + timedelta(days=rng.randint(1, 5)))
        return CallAttempt(
            entry=entry,
            phoner=phoner or rng.choice(self.phoners),
            script=self.scripts[(track, version)],
            outcome=outcome,
            note=rng.choice(NOTES.get(outcome, ("",))),
            callback_at=callback_at,
            called_at=when,
        )

    def earlier(self, before: datetime, count: int) -> list[datetime]:
        """Up to `count` call times on calling days before `before`, oldest first."""
        index = CALL_DAYS.index(before.date())
        if index == 0:
            return []
        days = sorted({self.rng.randint(max(0, index - 12), index - 1) for _ in range(count)})
        return [at_working_time(self.rng, CALL_DAYS[i], 9 * 60) for i in days]


def calls_create(
    rng: random.Random,
    *,
    campaign: Campaign,
    sites: list[Site],
    visits: list[Visit],
    maker: CompanyMaker,
    scripts: dict[tuple[str, int], CallScript],
    phoners: list[AbstractBaseUser],
) -> dict[str, int]:
    """Companies, call lists, entries and calls; sets visit.company, .call_list and .call."""
    by_list: dict[tuple[int, str], list[Visit]] = {}
    for visit in visits:
        by_list.setdefault((visit.site.jobcentre.pk, visit.track), []).append(visit)
    call_lists: list[CallList] = []
    rows: list[ListRow] = []
    for site in sites:
        for track in (Track.JOBCENTRE, Track.JOBSERVICE):
            released = at(
                VETTING_DEADLINE - timedelta(days=rng.randint(0, 4)), rng.randint(8, 11) * 60
            )
            call_list = CallList(
                campaign=campaign,
                jobcentre=site.jobcentre,
                track=track,
                status=CallList.Status.RELEASED,
                vetting_deadline=VETTING_DEADLINE,
                released_at=released,
            )
            call_lists.append(call_list)
            booked = by_list.get((site.jobcentre.pk, track), [])
            for visit in booked:
                visit.company = maker.make(
                    track=track, municipality=rng.choice(site.municipalities)
                )
                visit.call_list = call_list
                rows.append(ListRow(call_list, visit.company, visit=visit))
            others = round(len(booked) * rng.uniform(0.8, 1.2)) if booked else rng.randint(1, 4)
            for _ in range(others):
                company = maker.make(track=track, municipality=rng.choice(site.municipalities))
                if rng.random() < EXCLUDED_SHARE:
                    rows.append(ListRow(call_list, company, exclusion=rng.choice(EXCLUSIONS)))
                    continue
                outcome = rng.choices(*zip(*NOT_BOOKED_FINAL, strict=True))[0]
                company.do_not_contact = outcome == CallAttempt.Outcome.DO_NOT_CONTACT
                rows.append(ListRow(call_list, company, outcome=outcome))
    companies = [row.company for row in rows]
    Company.objects.bulk_create(companies)
    CallList.objects.bulk_create(call_lists)

    # Each list's firms in a shuffled calling order.
    positions: dict[int, list[int]] = {id(c): [] for c in call_lists}
    for row in rows:
        order = positions[id(row.call_list)]
        order.append(len(order) + 1)
    for order in positions.values():
        rng.shuffle(order)
    entries: list[CallListEntry] = []
    for row in rows:
        reason, note = row.exclusion or ("", "")
        entries.append(
            CallListEntry(
                call_list=row.call_list,
                company=row.company,
                position=positions[id(row.call_list)].pop(),
                vetting=(
                    CallListEntry.Vetting.EXCLUDED if reason else CallListEntry.Vetting.APPROVED
                ),
                exclusion_reason=reason,
                exclusion_note=note,
                # The campaign is over: a firm was booked, or calling it has ended.
                status=(
                    CallListEntry.Status.BOOKED
                    if row.visit is not None
                    else CallListEntry.Status.CLOSED
                ),
            )
        )

    caller = CallMaker(rng, scripts, phoners)
    calls: list[CallAttempt] = []
    booking_calls: list[tuple[Visit, CallAttempt]] = []
    for entry, row in zip(entries, rows, strict=True):
        if row.exclusion:
            continue
        track, visit = entry.call_list.track, row.visit
        if visit is not None:
            for when in caller.earlier(visit.booked_at, rng.choice((0, 0, 1, 1, 2))):
                kind = rng.choice(
                    (
                        CallAttempt.Outcome.NO_ANSWER,
                        CallAttempt.Outcome.BUSY,
                        CallAttempt.Outcome.CALL_BACK,
                    )
                )
                calls.append(caller.call(entry, track, when, kind))
            booked = caller.call(
                entry, track, visit.booked_at, CallAttempt.Outcome.BOOKED, visit.phoner
            )
            calls.append(booked)
            booking_calls.append((visit, booked))
            continue
        last = at_working_time(rng, rng.choice(CALL_DAYS), 9 * 60)
        for when in caller.earlier(last, rng.choice((0, 1, 2))):
            kind = rng.choice((CallAttempt.Outcome.NO_ANSWER, CallAttempt.Outcome.BUSY))
            calls.append(caller.call(entry, track, when, kind))
        calls.append(caller.call(entry, track, last, row.outcome))
    for call in calls:
        call.entry.note_call(call)
    CallListEntry.objects.bulk_create(entries)
    CallAttempt.objects.bulk_create(calls)
    call_tallies_rebuild()
    for visit, call in booking_calls:
        visit.call = call
    return {
        "companies": len(companies),
        "call_lists": len(call_lists),
        "entries": len(entries),
        "calls": len(calls),
    }
