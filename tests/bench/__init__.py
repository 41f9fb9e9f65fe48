"""The benchmark suite (not part of the default test run): ``python -m tests.bench``.

See ``tests/bench/README.md`` for what each figure means and how it is measured.
"""
