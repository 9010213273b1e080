"""The Flet views of the field app, over ``field_app.services`` (never SQL or HTTP).

* ``app`` — ``main(page)`` for a session: state, routing, rendering, auto-lock;
* ``routes`` — the route table, places and the guard (no Flet);
* ``theme`` — Material 3 theme from one calm-blue seed, light and dark; risk colours;
* ``shell`` — the scaffold: app bar with the sync indicator, bottom navigation on phones,
  a navigation rail and list/detail panes on wide screens;
* ``sync_indicator`` — the app-bar control bound to ``SyncStatus``;
* ``views/`` — one module per screen.
"""
