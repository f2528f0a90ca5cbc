"""The layer every other layer imports: the record's schema and label set, the Document with its spans,
number parsing, section texts, the identity checks, text normalisation and the character vocabulary.

Nothing here imports another govreport layer (tests/test_layers.py checks it).
"""
