"""The wizard's assessment of a flow: `selectors` reads it, `services` saves its steps."""
