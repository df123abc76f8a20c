"""Chaos soak against the embedded exchange (issue #6).

Short mode: ``tests/soak/test_soak.py``, inside ``bash scripts/test.sh``.
Long mode, by hand: ``.venv/bin/python -m tests.soak --minutes 30 --seed 6``.
"""
