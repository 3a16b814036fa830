"""Placeholder until the browser lands."""


def run_browser(db_path, as_of):
    raise RuntimeError("the browser is not built yet")
