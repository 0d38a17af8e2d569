"""Reliability tests: faults, the multi-process create race, bad input."""
