"""
The public wing: everything an anonymous request reaches.

The public records (frozen copies of published content) and their queries,
the open data, the headline figures, the record as at a date, the public
side of the publication log, and the page cache with conditional GET.

Nothing here imports from recommendations.services (the signed-in wing);
tests/test_architecture.py enforces it. What both wings count lives in
recommendations/figures.py, and every date and duration wording in
recommendations/words.py.
"""
