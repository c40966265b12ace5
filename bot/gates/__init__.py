"""Merge gates: a pure risk decision over fetched PR facts, and the executor that applies it."""
