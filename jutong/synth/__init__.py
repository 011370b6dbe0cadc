"""``jutong synth``: a synthetic province (广西) whose departments send extracts the way real
departments do — the same persons and organisations in several departments, with the errors
real extracts carry — plus the ground truth behind every row, kept apart from the extracts.

Synthetic data only: names, identifiers and addresses are drawn from word pools and random
numbers; identifiers are well-formed (valid check characters, real division codes) but belong
to nobody.
"""

from jutong.synth.generator import SynthResult, generate
from jutong.synth.rates import DirtRates

__all__ = ["DirtRates", "SynthResult", "generate"]
