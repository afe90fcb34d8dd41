"""The three signed-in roles, held as Django auth groups."""

OFFICERS = "Officers"
REVIEWERS = "Board reviewers"
ADMINISTRATORS = "Administrators"

ALL = (OFFICERS, REVIEWERS, ADMINISTRATORS)
