"""Label schema, annotation formats, validator and gold set."""
