"""Calibration: fit model constants to the observed 2020-2025 data."""
