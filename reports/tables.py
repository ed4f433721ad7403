"""The building blocks of the dashboards' tables: a table whose every figure links to the
visits behind it and that downloads as CSV or XLSX (common.exports), and a Chart.js
configuration. Nothing here counts: the figures come from the aggregate modules, and
reports.presenters puts each aggregate into tables and a chart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.formats import number_format

from common.exports import Cell as ExportCell
from reports.filters import ReportFilter

Link = Callable[..., str]


def visits_link(filters: ReportFilter) -> Link:
    """link(**params) -> the drill-down list's URL for the filter plus params."""
    base = reverse("reports:visits")

    def link(**params) -> str:
        return f"{base}?{filters.querystring(**params)}"

    return link


@dataclass
class Cell:
    value: int | float | str | None
    kind: str = "int"  # int, percent (a fraction shown as %), ratio, text
    url: str = ""
    share: float | None = None  # shown after the count, "12 (8.0 %)"
    with_share: bool = False
    highlight: str = ""  # why the figure is highlighted (read out to screen readers)

    @property
    def text(self) -> str:
        return _format(self.value, self.kind)

    @property
    def share_text(self) -> str:
        return _format(self.share, "percent")

    def export(self) -> list[ExportCell]:
        values: list[ExportCell] = [_export(self.value, self.kind)]
        if self.with_share:
            values.append(_export(self.share, "percent"))
        return values


def _format(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "percent":
        return f"{number_format(round(value * 100, 1), 1)} %"
    if kind == "ratio":
        return number_format(round(value, 2), 2)
    if kind == "int":
        return number_format(value)
    return str(value)


def _export(value, kind: str) -> ExportCell:
    if value is None:
        return None
    if kind == "percent":
        return round(value * 100, 1)
    if kind == "ratio":
        return round(value, 2)
    return value


@dataclass
class Column:
    key: str
    label: str
    with_share: bool = False


@dataclass
class Row:
    key: str
    header: str
    cells: list[Cell]
    section: str = ""  # a heading row before this one
    indent: bool = False


@dataclass
class Table:
    key: str
    title: str
    caption: str
    corner: str
    columns: list[Column]
    rows: list[Row]
    foot: list[Row] = field(default_factory=list)
    shown: int | None = None  # rows on the page, the first ones (all in the downloads)
    shown_note: str = ""  # says so when rows are left off the page

    def body(self) -> list[dict]:
        """The rows on the page with their cells paired with the columns, for the template."""
        return [self._line(row) for row in self.rows[: self.shown]]

    def footer(self) -> list[dict]:
        return [self._line(row) for row in self.foot]

    def _line(self, row: Row) -> dict:
        return {"row": row, "cells": list(zip(self.columns, row.cells, strict=True))}

    def export_header(self) -> list[str]:
        header = [self.corner]
        for column in self.columns:
            header.append(column.label)
            if column.with_share:
                header.append(f"{column.label} (%)")
        return header

    def export_rows(self) -> list[list[ExportCell]]:
        rows = []
        for row in [*self.rows, *self.foot]:
            values: list[ExportCell] = [row.header]
            for cell in row.cells:
                values += cell.export()
            rows.append(values)
        return rows


def chart(kind: str, labels: list[str], datasets: list[dict], **options) -> dict:
    return {
        "type": kind,
        "data": {"labels": labels, "datasets": datasets},
        "options": {"responsive": True, "animation": False, "aspectRatio": 2.5, **options},
    }


# Axes of counts: whole numbers only.
WHOLE_X = {"x": {"beginAtZero": True, "ticks": {"precision": 0}}}
WHOLE_Y = {"y": {"beginAtZero": True, "ticks": {"precision": 0}}}


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)
