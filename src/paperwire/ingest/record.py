"""Transitional alias: the record types live in :mod:`paperwire.records`."""

from paperwire.records import Metric, PaperRecord, RecordError, UnreadableInput, Version

__all__ = ["Metric", "PaperRecord", "RecordError", "UnreadableInput", "Version"]
