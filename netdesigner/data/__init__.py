"""Data sets for training: synthetic lessons, scikit-learn's bundled sets and the user's files.

Nothing is downloaded. ``netdesigner.data.registry`` lists them and loads one by name; it is
cheap to import (numpy, torch and Pillow are imported only when a data set is loaded).
"""
