"""dedupe_gui: find near-duplicate photos, keep the best copy, trash the rest safely."""

__version__ = "0.1.0"
