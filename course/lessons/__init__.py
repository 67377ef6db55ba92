"""One module per lesson: its exercises (specs for the check engine), plots and widgets.

Every module here is imported by the check engine on first use and registers its exercises.
"""
