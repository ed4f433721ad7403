"""The people of the demo: phoners, the participating jobcentres' consultants, Jobservice
Danmark representatives, their working hours and absences, and one log-in per role."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from faker import Faker

from consultants.models import Absence, Consultant, Coordinator, Jobcentre, WorkingHours
from consultants.roles import Role
from demo.companies import ascii_slug, danish_phone
from demo.schedule import VISITS_END, VISITS_START, Diary, at, working_days

User = get_user_model()

DEMO_COORDINATOR_JOBCENTRE = "Jobcenter København"
JOBSERVICE_DOMAIN = "jobservicedanmark.dk"
ABSENCE_SHARE = 0.2


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    note: str


DEMO_LOGINS = (
    DemoLogin("agency", "visitbook-agency", Role.AGENCY, "agency staff; Django admin too"),
    DemoLogin("koordinator", "visitbook-koordinator", Role.COORDINATOR, "Jobcenter København"),
    DemoLogin("konsulent", "visitbook-konsulent", Role.CONSULTANT, "a København consultant"),
    DemoLogin("phoner", "visitbook-phoner", Role.PHONER, "books visits"),
)


def joined() -> datetime:
    """When the demo's users were set up: the week before the call lists were vetted."""
    return at(date(2015, 10, 26), 9 * 60)


def person_name(faker: Faker) -> tuple[str, str]:
    return faker.first_name(), faker.last_name()


def unusable_password(rng: random.Random) -> str:
    """What set_unusable_password stores ('!' then random text), drawn from our RNG."""
    return "!" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40))


def demo_users_create() -> dict[str, User]:
    """The four demo log-ins with their fixed passwords and groups (reused if present)."""
    users = {}
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = User(username=login.username, date_joined=joined())
        user.is_staff = login.role == Role.AGENCY
        user.set_password(login.password)
        user.save()
        user.groups.add(Group.objects.get(name=login.role))
        users[login.username] = user
    return users


def phoners_create(rng: random.Random, faker: Faker, count: int, demo_phoner: User) -> list[User]:
    """`count` phoner users: the demo log-in and call-centre colleagues who cannot log in."""
    phoners = [demo_phoner]
    group = Group.objects.get(name=Role.PHONER)
    new = []
    for number in range(2, count + 1):
        first, last = person_name(faker)
        username = f"phoner{number:02d}"
        if User.objects.filter(username=username).exists():
            phoners.append(User.objects.get(username=username))
            continue
        new.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@callcenter.example",
                password=unusable_password(rng),
                date_joined=joined(),
            )
        )
    created = User.objects.bulk_create(new)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in created]
    )
    phoners.extend(created)
    demo_phoner.first_name, demo_phoner.last_name = person_name(faker)
    demo_phoner.save(update_fields=["first_name", "last_name"])
    return phoners


class ConsultantMaker:
    """Unsaved Consultant rows with unique e-mail addresses."""

    def __init__(self, rng: random.Random, faker: Faker) -> None:
        self.rng, self.faker = rng, faker
        self.emails: set[str] = set()

    def _email(self, first: str, last: str, domain: str) -> str:
        local = f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}"
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        return email

    def local(self, jobcentre: Jobcentre, domain: str) -> Consultant:
        first, last = person_name(self.faker)
        return Consultant(
            kind=Consultant.Kind.LOCAL,
            jobcentre=jobcentre,
            name=f"{first} {last}",
            email=self._email(first, last, domain),
            phone=danish_phone(self.rng),
        )

    def jobservice(self) -> Consultant:
        first, last = person_name(self.faker)
        return Consultant(
            kind=Consultant.Kind.JOBSERVICE,
            jobcentre=None,
            name=f"{first} {last}",
            email=self._email(first, last, JOBSERVICE_DOMAIN),
            phone=danish_phone(self.rng),
        )


def availability_create(rng: random.Random, consultants: list[Consultant]) -> dict[int, Diary]:
    """Mon-Fri 08:00-16:00 for everyone, an absence for about one in five, and a diary per
    consultant (by pk) that knows their days off."""
    hours = [
        WorkingHours(consultant=c, weekday=weekday, starts_at=time(8), ends_at=time(16))
        for c in consultants
        for weekday in range(5)
    ]
    WorkingHours.objects.bulk_create(hours)
    days = working_days(VISITS_START, VISITS_END)
    absences = []
    diaries = {}
    for consultant in consultants:
        off: set[date] = set()
        if rng.random() < ABSENCE_SHARE:
            kind = rng.choices(
                [Absence.Kind.HOLIDAY, Absence.Kind.SICK, Absence.Kind.COURSE], [3, 4, 2]
            )[0]
            first = rng.choice(days)
            if kind == Absence.Kind.HOLIDAY:
                first -= timedelta(days=first.weekday())  # a whole week, Monday to Friday
                length, note = 5, rng.choice(["Vinterferie", "Ferie", "Afspadsering"])
            elif kind == Absence.Kind.SICK:
                length, note = rng.randint(1, 3), ""
            else:
                length = rng.randint(1, 2)
                note = rng.choice(["Kursus i beskæftigelsesreformen", "Temadag", "Netværksmøde"])
            last = first + timedelta(days=length - 1)
            off = {d for d in days if first <= d <= last}
            absences.append(
                Absence(
                    consultant=consultant,
                    kind=kind,
                    starts_at=at(first, 0),
                    ends_at=at(last + timedelta(days=1), 0),
                    note=note,
                )
            )
        diaries[consultant.pk] = Diary(
            max_per_day=consultant.max_visits_per_day,
            max_per_week=consultant.max_visits_per_week,
            absent=off,
        )
    Absence.objects.bulk_create(absences)
    return diaries


def demo_consultant_link(user: User, consultant: Consultant) -> None:
    """Give the demo consultant log-in the name and Consultant row of a real diary."""
    first, _, last = consultant.name.partition(" ")
    user.first_name, user.last_name, user.email = first, last, consultant.email
    user.save(update_fields=["first_name", "last_name", "email"])
    consultant.user = user
    consultant.save(update_fields=["user"])


def demo_coordinator_link(faker: Faker, user: User, jobcentre: Jobcentre) -> None:
    first, last = person_name(faker)
    user.first_name, user.last_name = first, last
    user.email = f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}@kk.dk"
    user.save(update_fields=["first_name", "last_name", "email"])
    Coordinator.objects.get_or_create(user=user, defaults={"jobcentre": jobcentre})
