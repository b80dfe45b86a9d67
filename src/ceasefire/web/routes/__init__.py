"""The web app's routes, one router per concern (wired by :func:`ceasefire.web.app.create_app`).

* :mod:`.pages` — the start page, comparisons, plotly.js;
* :mod:`.drafts` — opening, uploading, editing, downloading and deleting drafts;
* :mod:`.runs` — a run's results page and its files;
* :mod:`.api` — the JSON API of the pages' scripts (save a draft, start a run, poll it);
* :mod:`.errors` — every error as a sentence (HTML or JSON), never a traceback;
* :mod:`.deps` — what the routes share, read from ``app.state``.
"""
