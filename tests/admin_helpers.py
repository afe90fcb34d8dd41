"""Signing in to the admin as production requires: a password, then a two-factor code."""
from django_otp.plugins.otp_totp.models import TOTPDevice

from recommendations.services import two_factor
from tests.helpers import PASSWORD


def sign_in_with_two_factor(client, user, settings):
    """Sign `user` in with their password and one of their recovery codes, with two-factor required."""
    settings.TRACKER_TWO_FACTOR_REQUIRED = True
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE, confirmed=True)
    code = two_factor.new_recovery_codes(user)[0]
    response = client.post("/accounts/two-factor/", {"code": code, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/", response
    assert client.get("/admin/").status_code == 200
    return client


def item_form(item, **changes):
    """The admin's item change form as posted, with the item's current values and `changes` over them
    (a value of None leaves the field out)."""
    data = {
        "source": item.source_id, "reference": item.reference, "number": item.number, "kind": item.kind,
        "grade": item.grade, "title": item.title, "summary": item.summary,
        "official_wording": item.official_wording, "official_reference": item.official_reference,
        "provenance": item.provenance, "themes": list(item.themes.values_list("pk", flat=True)),
        "owner": item.owner_id, "lead_role": item.lead_role,
        "formal_response": item.formal_response, "formal_response_note": item.formal_response_note,
        "formal_response_date": item.formal_response_date, "update_cadence_months": item.update_cadence_months,
        "evidence-TOTAL_FORMS": 0, "evidence-INITIAL_FORMS": 0,
        # The archived copies of published updates' links (the item's second evidence form).
        "evidence-2-TOTAL_FORMS": 0, "evidence-2-INITIAL_FORMS": 0,
    }
    if item.verified:
        data["verified"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
