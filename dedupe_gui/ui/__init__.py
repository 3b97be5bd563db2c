"""The desktop window. Qt lives here and only here; the work is done by ``dedupe_gui.core``."""
