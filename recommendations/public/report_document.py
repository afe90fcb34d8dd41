"""
A source's progress report as an OpenDocument text file (.odt), the open format UK public bodies
publish documents in, written with odfdo from the same SourceReport as the page (report.py): the
same sections, in the same order, with the same words.

odfdo builds the document as objects (headings, paragraphs, lists, tables) and writes the XML
itself, escaping every text it is given: nothing here writes markup, and an officer's text with
angle brackets in it stays text.
"""
import io

from django.utils import timezone
from odfdo import Document, Header, List, Paragraph, Table

from recommendations import words

CONTENT_TYPE = "application/vnd.oasis.opendocument.text"


def _heading(level, text):
    return Header(level, text, style=f"Heading_20_{level}")


def _paragraph(text):
    return Paragraph(text, style="Text_20_body")


def _table(name, rows):
    """A table of rows of text (a table of figures: its first row is the headings)."""
    table = Table(name)
    table.set_values([[str(cell) for cell in row] for row in rows])
    return table


def _figures(body, report, address):
    glance = report.glance
    body.append(_heading(2, "At a glance"))
    if glance.judgements:
        body.append(_paragraph(f"Not counted in these figures: {glance.judgements} judgement"
                               f"{'s' if glance.judgements != 1 else ''}, the grades an inspectorate gave."))
    body.append(_paragraph(report.headline))
    if not glance.total:
        return
    for number, (caption, heading, rows, share_of) in enumerate(glance.tables, start=1):
        body.append(_paragraph(caption))
        body.append(_table(f"Figures {number}", [[heading, "Number", f"Share of {share_of}"]] + [
            [row.label, row.count, "–" if row.percent is None else f"{row.percent}%"] for row in rows
        ]))
    body.append(_paragraph(f"Figures are for {words.long_date(glance.today)} and count only what has been "
                           f"published. How each figure is counted: “How we count these figures” on "
                           f"{address(report.source.get_absolute_url())}"))


def _update(update):
    said = f"{words.long_date(update.published_at)}: "
    said += update.kind_label if update.is_board_decision else update.status_label
    said += f". Reported by {update.organisation_name}. {update.narrative}"
    if update.target_date:
        said += f" Target date: {words.long_date(update.target_date)}."
        if update.target_date_reason:
            said += f" Reason for the change: {update.target_date_reason}"
    return said


def _entry(body, entry, address):
    item = entry.item
    body.append(_heading(2, f"{item.reference}: {item.title}"))
    body.append(_paragraph(f"{item.kind_label} {item.number} of the {item.source.short_title}. "
                           f"Everything about it: {address(item.url)}"))

    body.append(_heading(3, "What was recommended"))
    if item.official_wording:
        body.append(_paragraph(f"Official wording ({item.official_reference}): {item.official_wording}"))
        body.append(_paragraph(f"In our own words: {item.summary}"))
    else:
        body.append(_paragraph(item.summary))
        body.append(_paragraph("This is our summary, not the official wording: read the official document for "
                               f"the exact wording ({item.document_url or item.source.url})."))

    body.append(_heading(3, "Formal response"))
    body.append(_paragraph(entry.formal_response))

    body.append(_heading(3, "Where it stands"))
    body.append(_table(f"Where {item.reference} stands", entry.standing))

    body.append(_heading(3, "What has been done"))
    if entry.updates:
        body.append(List([_update(update) for update in entry.updates]))
        if entry.earlier_updates:
            body.append(_paragraph(f"{entry.earlier_updates} earlier update{'s' if entry.earlier_updates != 1 else ''} "
                                   f"on the item's page: {address(item.url)}"))
    else:
        body.append(_paragraph("No progress has been published on this item yet."))

    body.append(_heading(3, "What happens next"))
    for step in entry.next_steps:
        body.append(_paragraph(step))

    body.append(_heading(3, "Evidence"))
    if entry.evidence:
        body.append(List([_evidence_line(link) for link in entry.evidence]))
    else:
        body.append(_paragraph("No evidence has been published for this item yet."))

    body.append(_heading(3, "Indicators"))
    if entry.indicators:
        for indicator in entry.indicators:
            body.append(_heading(4, indicator.name))
            body.append(_paragraph(f"{indicator.definition} Unit: {indicator.unit}. {indicator.better_label}. "
                                   f"Where the data comes from: {indicator.data_source}."))
            body.append(List(_indicator_lines(indicator)))
    else:
        body.append(_paragraph("No outcome indicator is linked to this item."))


def odt_bytes(report, address):
    """The report (a SourceReport) as the bytes of an .odt file. address: makes a path of the
    tracker a full address (request.build_absolute_uri), as a document read away from the site needs."""
    document = Document("text")
    document.meta.set_title(report.title)
    document.meta.set_language("en-GB")
    document.meta.set_subject(report.source.title)
    body = document.body
    body.clear()
    body.append(_heading(1, report.title))
    body.append(_paragraph(report.introduction))
    body.append(_paragraph(report.last_published_words))
    _figures(body, report, address)
    for entry in report.entries:
        _entry(body, entry, address)
    written = io.BytesIO()
    document.save(written)
    return written.getvalue()


def _evidence_line(link):
    """One evidence link as the page gives it: what it is, where and when, whether it could be opened
    when last checked, and an archived copy's address."""
    line = f"{link.title} ({link.host}, {words.long_date(link.date)}): {link.url}"
    if link.unreachable_on:
        line += f" (this link {words.could_not_be_opened(link.unreachable_on)})"
    if link.archived_url:
        line += f"; archived copy: {link.archived_url}"
    return line



def _indicator_lines(indicator):
    """An outcome indicator's baseline, published values (oldest first, a missing period said) and target,
    as the item page's table gives them."""
    unit = indicator.unit
    lines = []
    if indicator.baseline_value is not None:
        lines.append(f"Baseline: {words.plain_number(indicator.baseline_value)} {unit} on "
                     f"{words.long_date(indicator.baseline_date)}")
    for value, follows_gap in indicator.periods():
        if follows_gap:
            lines.append(f"Missing period: no value published for the period before {words.long_date(value.period_start)}")
        lines.append(f"{words.period_words(value.period_start, value.period_end)}: {words.plain_number(value.value)} "
                     f"{unit} (reported by {value.organisation_name}, published "
                     f"{words.long_date(timezone.localdate(value.published_at))}){'. ' + value.note if value.note else ''}")
    if not indicator.values:
        lines.append("No values have been published for this indicator yet.")
    if indicator.target_value is not None:
        lines.append(f"Target: {words.plain_number(indicator.target_value)} {unit} by {words.long_date(indicator.target_date)}")
    return lines
