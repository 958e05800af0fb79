"""Benchmarks (issue 9): each measures the product beside the ceiling it is judged against.

Run them all with `python -m bench`; none is part of the test suite.
"""
