"""Building blocks for the outcome indicator tests: values in each state, made through the real service."""
import datetime

from recommendations.models import Indicator
from recommendations.services import indicators

# The council owns OFSTED-F9, which the seeds link to this indicator.
COUNCIL_INDICATOR = "lac-visits-on-time"


def council_indicator():
    return Indicator.objects.get(slug=COUNCIL_INDICATOR)


def month(year, number):
    """(first day, last day) of a month."""
    start = datetime.date(year, number, 1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def draft_value(officer, indicator=None, period=(2025, 1), value="87.5", **changes):
    start, end = month(*period)
    fields = {"period_start": start, "period_end": end, "value": value, "note": "From the monthly report.",
              "evidence_url": "https://example.org/performance.pdf"}
    fields.update(changes)
    return indicators.save_value(officer, indicator or council_indicator(), **fields)


def submitted_value(officer, indicator=None, **changes):
    value = draft_value(officer, indicator, **changes)
    return indicators.submit_value(officer, value, value.version)


def approved_value(officer, reviewer, indicator=None, **changes):
    value = submitted_value(officer, indicator, **changes)
    return indicators.approve_value(reviewer, value, value.version)
