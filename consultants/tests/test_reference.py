import csv

from django.core.management import call_command

from consultants.models import Jobcentre, Municipality, RarArea
from consultants.reference import MUNICIPALITIES_CSV, RAR_AREA_ORDER


def snapshot():
    return (
        list(RarArea.objects.values_list("id", "name", "position")),
        list(Jobcentre.objects.values_list("id", "name", "rar_area_id")),
        list(Municipality.objects.values_list("id", "code", "name", "rar_area_id", "jobcentre_id")),
    )


def test_it_loads_8_areas_and_98_municipalities_each_with_one_jobcentre(db):
    call_command("load_reference")
    assert list(RarArea.objects.values_list("name", flat=True)) == list(RAR_AREA_ORDER)
    assert Municipality.objects.count() == 98
    assert not Municipality.objects.filter(jobcentre__isnull=True).exists()
    assert Municipality.objects.get(code=101).jobcentre.name == "Jobcenter København"
    assert Municipality.objects.get(code=400).rar_area.name == "Bornholm"
    # A municipality's jobcentre sits in the municipality's RAR area.
    for municipality in Municipality.objects.select_related("jobcentre"):
        assert municipality.jobcentre.rar_area_id == municipality.rar_area_id


def test_it_matches_the_shipped_csv(db):
    call_command("load_reference")
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as handle:
        rows = {int(r["kommunekode"]): r for r in csv.DictReader(handle)}
    loaded = Municipality.objects.select_related("rar_area", "jobcentre")
    assert {m.code for m in loaded} == set(rows)
    for m in loaded:
        row = rows[m.code]
        assert (m.name, m.region, m.rar_area.name, m.jobcentre.name) == (
            row["municipality"],
            row["region"],
            row["rar_area"],
            row["jobcentre"],
        )


def test_running_it_twice_changes_nothing(db, capsys):
    call_command("load_reference")
    before = snapshot()
    call_command("load_reference")
    assert snapshot() == before
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_it_repairs_a_changed_row(db):
    call_command("load_reference")
    Municipality.objects.filter(code=101).update(name="Kbh")
    call_command("load_reference")
    assert Municipality.objects.get(code=101).name == "København"
