"""Simulations of stored flows: what they cost, running them, keeping them, background jobs.

`selectors` reads (kept results, jobs, the cost estimate, a preview shown), `services`
computes and writes (previews, kept results), `jobs` runs the costly ones in the background.
"""
