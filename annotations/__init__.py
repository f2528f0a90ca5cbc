"""Annotation formats (Label Studio, doccano), validator, pre-annotation, evaluation; gold/ is the gold set."""
