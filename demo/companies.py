"""Plausible Danish firms: valid, unique CVR numbers, names, addresses in the right
municipality, contacts. Track 2 firms are small and new to the jobcentre; track 1 firms large.

demo/data/towns.csv lists a few postcodes and towns per municipality code; it was derived from
PostNord's postcode file (as published in GitHub DanielZambelli/dk-postals, postals.csv).
"""

import csv
import random
import re
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

from campaign.models import Company, Track
from campaign.validators import CVR_WEIGHTS, cvr_is_valid
from consultants.models import Municipality

TOWNS_CSV = Path(__file__).parent / "data" / "towns.csv"

SMALL_TRADES = (
    "Tømrer",
    "VVS",
    "El-service",
    "Auto",
    "Bageri",
    "Rengøring",
    "Maskinfabrik",
    "Transport",
    "Byg",
    "Revision",
    "Tandklinik",
    "Malerfirma",
    "Frisør",
    "IT",
    "Blomster",
    "Køkkener",
    "Smedie",
    "Entreprise",
    "Landbrug",
    "Design",
    "Catering",
    "Tryk",
    "Optik",
    "Ejendomsservice",
    "Anlægsgartner",
    "Vinduespolering",
    "Murer",
    "Kloak",
    "Regnskab",
    "Fysioterapi",
)
LARGE_TRADES = (
    "Logistik",
    "Industri",
    "Fødevarer",
    "Byggeri",
    "Energi",
    "Facility Services",
    "Engineering",
    "Retail",
    "Plast",
    "Stål",
    "Pharma",
    "Mejeri",
    "Emballage",
    "Transport",
    "Elektronik",
    "Software",
)
LARGE_PREFIXES = ("Dansk", "Nordisk", "Scan", "Nord", "Jysk", "Sjællands", "Fyns")
SMALL_SUFFIXES = (("ApS", 6), ("I/S", 1), ("A/S", 1), ("IVS", 1))
SMALL_ROLES = (("Indehaver", 5), ("Direktør", 4), ("Medindehaver", 2), ("Kontorchef", 1))
LARGE_ROLES = (("HR-chef", 5), ("HR-partner", 2), ("Rekrutteringsansvarlig", 2), ("HR-direktør", 1))
TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe"})


def ascii_slug(text: str, separator: str = "") -> str:
    """'Bøgh & Søn Tømrer ApS' -> 'boeghsoentoemrer...' (for e-mail addresses)."""
    text = text.lower().translate(TRANSLITERATION)
    return re.sub(r"[^a-z0-9]+", separator, text).strip(separator)


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def towns_read(path: Path = TOWNS_CSV) -> dict[int, list[tuple[str, str]]]:
    """Municipality code -> [(postcode, town)]."""
    towns: dict[int, list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            towns.setdefault(int(row["kommunekode"]), []).append((row["postcode"], row["city"]))
    return towns


def danish_phone(rng: random.Random) -> str:
    """An 8-digit Danish number, grouped in pairs ('23 45 67 89')."""
    digits = [rng.randint(2, 9)] + [rng.randint(0, 9) for _ in range(7)]
    text = "".join(map(str, digits))
    return " ".join(text[i : i + 2] for i in range(0, 8, 2))


class CompanyMaker:
    """Makes unsaved Company rows. One instance per run: it remembers the CVR numbers and
    names given out so both stay unique."""

    def __init__(self, rng: random.Random, faker: Faker, campaign_starts: date) -> None:
        self.rng = rng
        self.faker = faker
        self.campaign_starts = campaign_starts
        self.towns = towns_read()
        self.cvrs: set[str] = set()
        self.names: set[str] = set()

    def cvr(self) -> str:
        """A fresh CVR number: seven random digits (first 1-9) and the check digit."""
        while True:
            digits = [self.rng.randint(1, 9)] + [self.rng.randint(0, 9) for _ in range(6)]
            check = -sum(d * w for d, w in zip(digits, CVR_WEIGHTS[:7], strict=True)) % 11
            if check == 10:
                continue
            value = "".join(map(str, digits)) + str(check)
            if value not in self.cvrs and cvr_is_valid(value):
                self.cvrs.add(value)
                return value

    def _name(self, track: str, town: str) -> str:
        rng, faker = self.rng, self.faker
        for attempt in range(50):
            if track == Track.JOBCENTRE:
                trade = rng.choice(SMALL_TRADES)
                pattern = rng.random()
                if pattern < 0.6:
                    base = f"{faker.last_name()} {trade}"
                elif pattern < 0.85:
                    base = f"{town.split()[0]} {trade}"
                else:
                    base = f"{faker.last_name()} & {faker.last_name()}"
                name = f"{base} {weighted(rng, SMALL_SUFFIXES)}"
            else:
                trade = rng.choice(LARGE_TRADES)
                if rng.random() < 0.5:
                    name = f"{faker.last_name()} {trade} A/S"
                else:
                    name = f"{rng.choice(LARGE_PREFIXES)} {trade} A/S"
            if attempt > 10:
                name = f"{name} ({town})"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("ran out of company names")

    def make(self, *, track: str, municipality: Municipality) -> Company:
        rng, faker = self.rng, self.faker
        postcode, town = rng.choice(self.towns[municipality.code])
        name = self._name(track, town)
        first, last = faker.first_name(), faker.last_name()
        domain = ascii_slug(name.rsplit(" ", 1)[0])[:40] or "firma"
        if track == Track.JOBCENTRE:
            bucket = rng.random()
            if bucket < 0.72:
                employees = rng.randint(5, 19)
            elif bucket < 0.92:
                employees = rng.randint(20, 49)
            else:
                employees = rng.randint(50, 100)
            sites = 1 if rng.random() < 0.9 else 2
            role = weighted(rng, SMALL_ROLES)
            last_cooperation = None
            if rng.random() < 0.3:
                # Not within the last 12 months: 13 to 48 months before the campaign.
                months_ago = rng.randint(13, 48)
                last_cooperation = self.campaign_starts - timedelta(days=months_ago * 30)
            language = "da"
        else:
            bucket = rng.random()
            if bucket < 0.4:
                employees = rng.randint(101, 249)
            elif bucket < 0.8:
                employees = rng.randint(250, 999)
            else:
                employees = rng.randint(1000, 6000)
            sites = 1 if rng.random() < 0.15 else rng.randint(2, min(60, 2 + employees // 60))
            role = weighted(rng, LARGE_ROLES)
            last_cooperation = None
            if rng.random() < 0.5:
                last_cooperation = self.campaign_starts - timedelta(days=rng.randint(20, 900))
            language = "en" if rng.random() < 0.03 else "da"
        return Company(
            cvr=self.cvr(),
            name=name,
            employees=employees,
            sites=sites,
            address=faker.street_address(),
            postcode=postcode,
            city=town,
            municipality=municipality,
            phone=danish_phone(rng),
            email=f"{ascii_slug(first, '.')}@{domain}.dk",
            contact_name=f"{first} {last}",
            contact_role=role,
            last_jobcentre_cooperation=last_cooperation,
            language=language,
        )
