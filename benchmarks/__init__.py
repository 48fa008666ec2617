"""Égide's benchmarks: the development set of the guard and the scripts that measure it."""
