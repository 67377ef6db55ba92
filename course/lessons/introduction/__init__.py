"""Lesson 00: what learning from data is, a short history of AI, and the deep-learning workflow.

Exercises (in :mod:`.checks`): ``credit_rule``, ``quantize_int8``, ``dequantize_int8``.
The lecture's data (in :mod:`.lecture`): the timeline, the ILSVRC winners, the data sets, the customers
of the credit-scoring example and the drug-dose data. Pictures and widgets in :mod:`.plots`; the
complexity and quantization experiments in :mod:`.experiments`.
"""
LESSON = "00_introduction"

from . import checks  # noqa: E402  (registers the exercises)
from . import experiments, lecture, plots  # noqa: E402

__all__ = ["LESSON", "checks", "experiments", "lecture", "plots"]
