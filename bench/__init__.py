"""Benchmarks: ``python -m bench.scan FOLDER``, ``python -m bench.hamming``, ``bench.scale``.

Figures and the commands that made them are in docs/BENCHMARKS.md. Each benchmark runs its
baseline in the same invocation, so that ratios stay meaningful on a busy machine.
"""
