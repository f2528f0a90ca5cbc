"""Synthetic report generator, dataset building and training."""
