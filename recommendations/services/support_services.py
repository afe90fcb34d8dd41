"""
The support services named on the public pages, read from a file the council keeps
(recommendations/data/support_services.yaml, or TRACKER_SUPPORT_SERVICES_FILE).

Rules enforced here and nowhere else:
- an entry needs a name, who it is for, its own https:// website and the day its
  details were last checked (not a day still to come); a phone number, if given, is
  digits and spaces, written in quotes (YAML may read it as a number and change it);
- an entry with a mistake is left off the pages, never shown half right, and named
  by `manage.py check` and `manage.py support_services`;
- the file is read again whenever it changes (its modification time or size), so an
  edit needs no restart; `manage.py support_services` also marks the cached public
  pages out of date, so every page shows the new list at once.
"""
import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

FIELDS = {"name", "full_name", "audience", "phone", "website", "checked"}
REQUIRED = ("name", "audience", "website", "checked")


@dataclass(frozen=True)
class SupportService:
    name: str
    audience: str
    website: str
    checked: datetime.date
    phone: str = ""
    full_name: str = ""

    @property
    def phone_link(self):
        return "tel:" + self.phone.replace(" ", "")


@dataclass(frozen=True)
class Loaded:
    services: tuple
    problems: tuple


def path():
    return Path(settings.TRACKER_SUPPORT_SERVICES_FILE)


def load(file=None):
    """Read and check the file: the entries that can be shown, and what is wrong with the others."""
    file = Path(file or path())
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, yaml.YAMLError) as error:
        return Loaded((), (f"{file} cannot be read: {error}",))
    entries = data.get("services") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return Loaded((), (f"{file} must have a list of entries under “services:”.",))
    services, problems = [], []
    for number, entry in enumerate(entries, start=1):
        service, problem = _service(entry)
        if problem:
            name = entry.get("name") if isinstance(entry, dict) else None
            problems.append(f"Entry {number} ({name or 'no name'}) is not shown: {problem}")
        else:
            services.append(service)
    return Loaded(tuple(services), tuple(problems))


def _service(entry):
    """(SupportService, None), or (None, what is wrong with the entry)."""
    if not isinstance(entry, dict):
        return None, "it must be a set of fields (name:, audience:, website:, checked:)."
    unknown = sorted(set(entry) - FIELDS)
    if unknown:
        return None, f"unknown field {', '.join(map(str, unknown))} (the fields are {', '.join(sorted(FIELDS))})."
    missing = [field for field in REQUIRED if entry.get(field) in (None, "")]
    if missing:
        return None, f"it has no {', '.join(missing)}."
    texts = {field: entry.get(field) or "" for field in ("name", "full_name", "audience", "website", "phone")}
    if isinstance(entry.get("phone"), int):
        return None, (
            'put the phone number in quotes, like phone: "0808 801 0331" (without them it is read as a number).'
        )
    if any(not isinstance(value, str) for value in texts.values()):
        return None, "name, full_name, audience, phone and website must be text."
    if texts["phone"] and not texts["phone"].replace(" ", "").isdigit():
        return None, f"the phone number {texts['phone']!r} must be digits and spaces only."
    website = urlsplit(texts["website"])
    if website.scheme != "https" or not website.hostname:
        return None, f"the website {texts['website']!r} must be a full https:// address."
    checked = entry["checked"]
    if not isinstance(checked, datetime.date) or isinstance(checked, datetime.datetime):
        return None, f"checked must be a date written as YYYY-MM-DD, not {checked!r}."
    if checked > timezone.localdate():
        return None, f"checked ({checked.isoformat()}) is a day still to come."
    return SupportService(checked=checked, **{field: value.strip() for field, value in texts.items()}), None


_kept = {}


def current():
    """The services to show now: the file as it is, read again only when it has changed."""
    file = path()
    try:
        stat = file.stat()
        key = (str(file), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (str(file), None, None)
    loaded = _kept.get(key)
    if loaded is None:
        loaded = load(file)
        for problem in loaded.problems:
            logger.error("Support services: %s", problem)
        _kept.clear()
        _kept[key] = loaded
    return loaded.services
