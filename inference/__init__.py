"""Normalisation, windowed tagging, span decoding, assembly into the record, checks."""
