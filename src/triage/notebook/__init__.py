"""The notebook experience: the interactive explorer and the Five-Whys worksheet.

``explore(frame)`` opens an ipywidgets app over a log frame (filters, signature table, timeline,
details, merge/split rules); ``five_whys(frame, signature)`` starts a worksheet pre-filled from the
evidence, saved as JSON and exported to Markdown; ``SignatureWatch`` shows signatures appear while a
sample replays.
"""

from ._explorer import Explorer, explore
from ._five_whys import Evidence, FiveWhys, Problem, Verification, Why, five_whys
from ._model import ExplorerModel
from ._watch import SignatureWatch

__all__ = ["Evidence", "Explorer", "ExplorerModel", "FiveWhys", "Problem", "SignatureWatch", "Verification", "Why",
           "explore", "five_whys"]
