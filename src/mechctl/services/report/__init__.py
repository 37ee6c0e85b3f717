"""The weekly report: the period, the figures, the mechanisms' loop, assembled for the renderers."""
