"""The text toolkit of the platform: one implementation of each small text rule.

- ``width``: full-width forms and the ideographic space to ASCII (and back), per string and
  per Arrow column;
- ``cells``: a cell as text, trimming (zero-width characters too), "no value" markers, the
  clean-up of a code (spaces, hyphens, quotes) with repair flags;
- ``layout``: group separators of numbers written for reading (``138 0013-8000``), removed;
- ``luhn``: the Luhn (ISO/IEC 7812) check of payment card numbers;
- ``phones``: the patterns of mainland mobile numbers.

Identifier rules, standardization, the PII recognizers and the masking columns all use these;
Spark code builds its expressions from the patterns and constants defined here.
"""
