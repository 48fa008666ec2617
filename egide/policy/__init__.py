"""The charter: sensitivity levels, model tiers and the one decision function."""
