"""Windowed tagging, span decoding and repair, assembly into the record, readers, batch, review page."""
