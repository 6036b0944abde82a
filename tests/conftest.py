"""Longest first: `make test` runs `-n 2 --dist loadgroup`, and xdist hands out work in collection
order, so the grouped courses (nbgrader, README clone, browser, sandbox class: 20 to 45 s each,
one worker apiece) and the other slow tests start first and the short ones fill in around them,
instead of two long groups landing late on one worker."""


def pytest_collection_modifyitems(items):
    def weight(item):
        grouped = item.get_closest_marker("xdist_group") is not None
        slow = item.get_closest_marker("slow") is not None
        return 0 if grouped else 1 if slow else 2

    items.sort(key=weight)  # stable: files and tests keep their order within each weight
