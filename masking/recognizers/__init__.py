"""Presidio recognizers for Chinese PII, one per file (GX-Reg art. 25; GX-Open art. 16, 19, 22;
PIPL art. 73). No downloaded model: patterns, check characters and context words only.

``all_recognizers()`` builds one of each; ``masking.analyzer`` registers them in a model-free
``AnalyzerEngine``. Entity names are stable (masking policies and release checks use them).
"""

from __future__ import annotations

from masking.recognizers._common import DEFAULT_THRESHOLD, LANGUAGE
from masking.recognizers.address import CnAddressRecognizer
from masking.recognizers.bank_card import CnBankCardRecognizer
from masking.recognizers.email import EmailRecognizer
from masking.recognizers.landline import CnLandlineRecognizer
from masking.recognizers.mobile import CnMobileRecognizer
from masking.recognizers.passport import CnPassportRecognizer
from masking.recognizers.person_name import CnPersonNameRecognizer
from masking.recognizers.resident_id import CnResidentIdRecognizer
from masking.recognizers.uscc import CnUsccRecognizer
from masking.recognizers.vehicle_plate import CnVehiclePlateRecognizer

CN_RESIDENT_ID = "CN_RESIDENT_ID"
CN_MOBILE = "CN_MOBILE"
CN_LANDLINE = "CN_LANDLINE"
CN_USCC = "CN_USCC"
CN_BANK_CARD = "CN_BANK_CARD"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
CN_PASSPORT = "CN_PASSPORT"
CN_VEHICLE_PLATE = "CN_VEHICLE_PLATE"
CN_PERSON_NAME = "CN_PERSON_NAME"
CN_ADDRESS = "CN_ADDRESS"

#: Every entity, in the order overlaps are resolved when scores and lengths tie: a valid
#: resident ID beats a card or credit code on the same span (docs/architecture.md).
ENTITIES: tuple[str, ...] = (
    CN_RESIDENT_ID,
    CN_USCC,
    CN_BANK_CARD,
    CN_MOBILE,
    CN_LANDLINE,
    EMAIL_ADDRESS,
    CN_PASSPORT,
    CN_VEHICLE_PLATE,
    CN_PERSON_NAME,
    CN_ADDRESS,
)
#: The residual-scan refusal set: what must never be left in a release (mobile has no checksum
#: but is refused too).
CHECKSUMMED = frozenset({CN_RESIDENT_ID, CN_MOBILE, CN_USCC, CN_BANK_CARD})

RECOGNIZER_CLASSES = (
    CnResidentIdRecognizer,
    CnUsccRecognizer,
    CnBankCardRecognizer,
    CnMobileRecognizer,
    CnLandlineRecognizer,
    EmailRecognizer,
    CnPassportRecognizer,
    CnVehiclePlateRecognizer,
    CnPersonNameRecognizer,
    CnAddressRecognizer,
)


def all_recognizers() -> list:
    """One instance of every recognizer (language ``zh``)."""
    return [cls() for cls in RECOGNIZER_CLASSES]


__all__ = [
    "CHECKSUMMED",
    "CN_ADDRESS",
    "CN_BANK_CARD",
    "CN_LANDLINE",
    "CN_MOBILE",
    "CN_PASSPORT",
    "CN_PERSON_NAME",
    "CN_RESIDENT_ID",
    "CN_USCC",
    "CN_VEHICLE_PLATE",
    "DEFAULT_THRESHOLD",
    "EMAIL_ADDRESS",
    "ENTITIES",
    "LANGUAGE",
    "RECOGNIZER_CLASSES",
    "all_recognizers",
    *(c.__name__ for c in RECOGNIZER_CLASSES),
]
