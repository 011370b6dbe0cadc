"""EMAIL_ADDRESS: e-mail addresses (local part @ domain with a letter TLD).

ASCII local part, so the address ends where Chinese text begins (``邮箱zhang.san@163.com联系``).
Score 1.0 (no checksum, but the shape is unambiguous): an address that contains a mobile
number (``13800138000@qq.com``) is one e-mail hit, the longer span.
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from masking.recognizers._common import RegexRecognizer

ENTITY = "EMAIL_ADDRESS"
CONTEXT = ["邮箱", "邮件", "email", "e-mail", "mail", "dzyx"]
EMAIL_REGEX = (
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)


class EmailRecognizer(RegexRecognizer):
    def __init__(self) -> None:
        super().__init__(
            ENTITY, [Pattern(name="email", regex=EMAIL_REGEX, score=1.0)], CONTEXT, re.DOTALL
        )
