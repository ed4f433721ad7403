"""Loading the reference data: RAR areas, municipalities and their jobcentres."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from consultants.models import Jobcentre, Municipality, RarArea

MUNICIPALITIES_CSV = Path(__file__).parent / "data" / "municipalities.csv"

# The order of the report's Table 1 columns.
RAR_AREA_ORDER = (
    "Nordjylland",
    "Vestjylland",
    "Østjylland",
    "Fyn",
    "Sydjylland",
    "Bornholm",
    "Hovedstaden",
    "Sjælland",
)


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


@transaction.atomic
def reference_load(*, path: Path = MUNICIPALITIES_CSV) -> LoadResult:
    """Create or update every RAR area, jobcentre and municipality in the CSV. Idempotent:
    a second run with the same file changes nothing."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    created = updated = 0

    def upsert(model, lookup: dict, values: dict):
        nonlocal created, updated
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            created += 1
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(obj, key, value)
            obj.save(update_fields=list(values))
            updated += 1
        return obj

    areas = {
        name: upsert(RarArea, {"name": name}, {"position": position})
        for position, name in enumerate(RAR_AREA_ORDER, start=1)
    }
    for row in rows:
        area = areas[row["rar_area"]]
        jobcentre = upsert(Jobcentre, {"name": row["jobcentre"]}, {"rar_area": area})
        upsert(
            Municipality,
            {"code": int(row["kommunekode"])},
            {
                "name": row["municipality"],
                "region": row["region"],
                "rar_area": area,
                "jobcentre": jobcentre,
            },
        )
    return LoadResult(created=created, updated=updated)
