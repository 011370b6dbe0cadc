"""Opening data to the public (GX-Open ch. 4–5; GX-Dispatch art. 21–22, 27, 33–34, 39;
LZ-Rules art. 14, 20–21): conditional-open and on-request cases, data-use agreements, deliveries
and API keys, ratings, the catalog and data lifecycle with its public notices, complaints.

Every process is a case of the case engine (``jutong.governance.cases``; the flows are in
``cases/opening_rules.py``); this package adds what the cases need beside their state. See
docs/opening.md.
"""
