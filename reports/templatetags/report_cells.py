"""One figure of a report table as its <td>: a tag, not an included template, because a page
of a whole campaign has thousands of cells (an include each took most of the page's time)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def report_cell(table, row, column, cell, pdf=False) -> str:
    """The cell: highlighted (with the reason read out), linked to the visits behind it (the
    row and column read out), the share after the count. `pdf`: plain, without links."""
    if pdf:
        text = format_html("{}", cell.text)
        if cell.with_share:
            text = format_html('{} <span class="share">({})</span>', text, cell.share_text)
        if cell.highlight:
            text = format_html("<strong>⚠ {}</strong>", text)
        return format_html(
            '<td class="text-end num" id="{}-{}-{}">{}</td>', table.key, row.key, column.key, text
        )
    header = row.header
    text = (
        format_html(
            '<a href="{}"><span class="visually-hidden">{}, {}: </span>{}</a>',
            cell.url,
            header,
            column.label,
            cell.text,
        )
        if cell.url
        else format_html("{}", cell.text)
    )
    if cell.with_share:
        text = format_html(
            '{} <span class="text-body-secondary">({})</span>', text, cell.share_text
        )
    css = "text-end text-nowrap"
    if cell.highlight:
        css += " table-warning"
        text = format_html(
            '<strong title="{}"><span aria-hidden="true">⚠&nbsp;</span>{}'
            '<span class="visually-hidden"> ({})</span></strong>',
            cell.highlight,
            text,
            cell.highlight,
        )
    return format_html(
        '<td class="{}" id="{}-{}-{}">{}</td>', css, table.key, row.key, column.key, text
    )
