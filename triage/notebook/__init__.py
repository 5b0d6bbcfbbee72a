"""The notebook experience: the interactive explorer and the Five-Whys worksheet.

``explore(frame)`` opens an ipywidgets app over a log frame (filters, signature table, timeline,
details, merge/split rules); ``five_whys(frame, signature)`` starts a worksheet pre-filled from the
evidence, saved as JSON and exported to Markdown; ``SignatureWatch`` shows signatures appear while a
sample replays.
"""

from triage.notebook._explorer import Explorer, explore
from triage.notebook._five_whys import Evidence, FiveWhys, Problem, Verification, Why, five_whys
from triage.notebook._model import ExplorerModel
from triage.notebook._watch import SignatureWatch

__all__ = ["Evidence", "Explorer", "ExplorerModel", "FiveWhys", "Problem", "SignatureWatch", "Verification", "Why",
           "explore", "five_whys"]
