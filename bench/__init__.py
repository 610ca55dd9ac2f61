"""Benchmarks (`make bench`): what users and operators feel, as ratios, counts and percentiles.

One module per measurement, each with `measure(run)` adding figures to the run; `python -m bench` prints a table
and writes bench/results.json.
"""
