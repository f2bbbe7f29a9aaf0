"""The pure core of Vivido: plain functions over plain data, no Django.

The API, the wizard, the simulator and the run engine all reach the numbers through here,
so each figure has exactly one definition.
"""
