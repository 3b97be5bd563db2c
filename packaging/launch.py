"""Entry point of the frozen build: does what the ``dedupe-gui`` console script does."""

import multiprocessing

from dedupe_gui.cli import run

if __name__ == "__main__":
    # A frozen binary has no Python to start worker processes with: with the "spawn" start
    # method (Windows, macOS) each worker re-runs this binary, and this call turns it into
    # the worker instead of a second copy of the app.
    multiprocessing.freeze_support()
    run()
